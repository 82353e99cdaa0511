/**
 * Opt-in (`onUncaughtException: 'drain'`): an uncaught exception, or an unhandled rejection that
 * Node turns into one, no longer kills the process mid-request. lameduck logs it, turns readiness
 * 503, drains with a short timeout and exits 1. It listens to 'uncaughtException' alongside any
 * other listener (error trackers still see every error); with the option off it installs nothing,
 * so Node's own behaviour (print and exit at once) is unchanged.
 */

/** A crashed process is in an unknown state: in-flight requests get at most this long. */
export const CRASH_DRAIN_TIMEOUT_MS = 5_000;

export interface CrashSource {
  on(event: 'uncaughtException', listener: (error: unknown, origin: string) => void): unknown;
  off(event: 'uncaughtException', listener: (error: unknown, origin: string) => void): unknown;
}

/** Calls `onCrash` for every uncaught exception; returns a function that stops listening. */
export function listenForCrashes(
  source: CrashSource,
  onCrash: (error: unknown, origin: string) => void,
): () => void {
  const listener = (error: unknown, origin: string) => {
    try {
      onCrash(error, origin);
    } catch {
      // Throwing from here would recurse into this listener.
    }
  };
  source.on('uncaughtException', listener);
  return () => {
    source.off('uncaughtException', listener);
  };
}

/** The error's stack (or message) for the log, however odd the thrown value; never throws. */
export function describeCrash(error: unknown, origin: string): string {
  const what = origin === 'unhandledRejection' ? 'unhandled promise rejection' : 'uncaught exception';
  let detail: string;
  try {
    const stack = error instanceof Error ? error.stack : undefined;
    detail = typeof stack === 'string' && stack !== '' ? stack : String(error);
  } catch {
    detail = 'a value that cannot be printed';
  }
  return `${what}: ${detail.length > 4000 ? `${detail.slice(0, 4000)}…` : detail}`;
}
