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

/** A short, safe description of any value for an error message (never throws). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${String(value)}`;
  }
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return 'an object';
}
