import { describeValue } from './describe.js';
import { LameduckConfigError } from './errors.js';

export interface DurationBounds {
  /** Smallest accepted value in ms (inclusive). */
  minMs: number;
  /** Largest accepted value in ms (inclusive). */
  maxMs: number;
}

/** One day: anything longer is a unit mistake (seconds given as ms, or ms as µs). */
export const MAX_DURATION_MS = 86_400_000;

/**
 * Validates a duration option and returns it, or `fallback` when it is undefined.
 * Messages name the option, the value received and the accepted range.
 */
export function durationOption(
  optionName: string,
  value: unknown,
  fallback: number,
  bounds: DurationBounds = { minMs: 0, maxMs: MAX_DURATION_MS },
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new LameduckConfigError(
      `${optionName} must be a number of milliseconds, got ${describeValue(value)}; for example ${optionName}: ${fallback}`,
    );
  }
  if (value < bounds.minMs || value > bounds.maxMs) {
    throw new LameduckConfigError(
      `${optionName} must be between ${bounds.minMs} and ${bounds.maxMs} ms, got ${value}`,
    );
  }
  return value;
}
