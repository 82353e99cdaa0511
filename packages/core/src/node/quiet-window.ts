/** What the quiet window reads of each server: how long since its last non-probe request of the drain. */
export interface QuietSource {
  /** Infinity when no request came since the shutdown started. */
  readonly quietForMs: number;
}

export interface QuietOutcome {
  /** How long it waited, in ms. */
  readonly waitedMs: number;
  /** True when every server was quiet for the window; false when the cap (or a force) ended the wait. */
  readonly quiet: boolean;
}

/**
 * Waits until no server has seen a new non-probe request for `windowMs`, or `capMs` has passed,
 * or `signal` aborts. A proxy that still routes to the pod after the drain delay (ingress-nginx
 * lags the endpoint change by seconds) keeps sending on its pooled connections; closing those
 * idle connections then fails its next request (a 502 a POST does not retry). Once the proxy has
 * been quiet for the window, it has stopped using this pod. `now` is the shutdown's clock.
 */
export async function untilQuiet(
  servers: readonly QuietSource[],
  windowMs: number,
  capMs: number,
  now: () => number,
  signal: AbortSignal,
): Promise<QuietOutcome> {
  const startedAt = now();
  // Counted only once it has slept: a clock that ticks between two readings is not a wait.
  let slept = false;
  for (;;) {
    const quietForMs = Math.min(Number.POSITIVE_INFINITY, ...servers.map((server) => server.quietForMs));
    const waitedMs = slept ? now() - startedAt : 0;
    if (quietForMs >= windowMs) return { waitedMs, quiet: true };
    if (waitedMs >= capMs || signal.aborted) return { waitedMs, quiet: false };
    await sleep(Math.max(1, Math.min(windowMs - quietForMs, capMs - waitedMs)), signal);
    slept = true;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const handle = setTimeout(finish, ms);
    signal.addEventListener('abort', finish, { once: true });
    function finish() {
      clearTimeout(handle);
      signal.removeEventListener('abort', finish);
      resolve();
    }
  });
}
