import { durationOption, MAX_DURATION_MS } from '../duration.js';

// One total (never-throwing) implementation for the model and the drain engine alike.
export { describeThrown, describeValue } from '../describe.js';

/**
 * Validates a duration option in ms and returns it, or `fallback` when it is undefined: the
 * model's `durationOption`, with the range as trailing arguments.
 */
export function durationMs(
  name: string,
  value: unknown,
  fallback: number,
  minMs = 0,
  maxMs = MAX_DURATION_MS,
): number {
  return durationOption(name, value, fallback, { minMs, maxMs });
}
