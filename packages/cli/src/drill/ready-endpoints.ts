/** The ready endpoints kube-proxy had from `atMs` on (a step function). */
export interface ReadySample {
  atMs: number;
  ready: number;
}

/**
 * The fewest ready endpoints within [fromMs, toMs], and how long there were none. `samples` are
 * in time order; the one before `fromMs` holds at `fromMs`.
 */
export function readyWindow(
  samples: readonly ReadySample[],
  fromMs: number,
  toMs: number,
): { fewest: number; zeroMs: number } {
  let current = [...samples].reverse().find((sample) => sample.atMs <= fromMs)?.ready ?? 0;
  let fewest = current;
  let zeroMs = 0;
  let since = fromMs;
  for (const sample of samples) {
    if (sample.atMs <= fromMs) continue;
    if (sample.atMs >= toMs) break;
    if (current === 0) zeroMs += sample.atMs - since;
    current = sample.ready;
    since = sample.atMs;
    fewest = Math.min(fewest, current);
  }
  if (current === 0) zeroMs += toMs - since;
  return { fewest, zeroMs: Math.round(zeroMs) };
}
