// One definition of the percentile for the drill and for bench/ (repository tooling, which imports
// this file by path): it imports nothing, so that bench's bundle takes nothing else along.

/** The nearest-rank percentile of sorted values; undefined for none (each caller says what none is). */
export function percentile(sorted: readonly number[], fraction: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}
