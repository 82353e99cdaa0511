import { LameduckConfigError } from '../index.js';

/** One day: a longer timeout is a unit mistake (seconds given as ms). */
export const MAX_DURATION_MS = 86_400_000;

/**
 * Validates a duration option in ms and returns it, or `fallback` when it is undefined. The
 * message names the option, what was received, and the accepted range, so the fix is obvious.
 */
export function durationMs(
  name: string,
  value: unknown,
  fallback: number,
  minMs = 0,
  maxMs = MAX_DURATION_MS,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new LameduckConfigError(
      `${name} must be a number of milliseconds, got ${describeValue(value)}; for example ${name}: ${fallback}`,
    );
  }
  if (value < minMs || value > maxMs) {
    throw new LameduckConfigError(`${name} must be between ${minMs} and ${maxMs} ms, got ${value}`);
  }
  return value;
}

/** A short description of any value for an error message; never throws. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') {
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `${typeof value} ${String(value)}`;
  }
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== 'Object' ? `a ${name}` : 'an object';
}

/** The message of anything thrown, for a log line. */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message || thrown.name;
  return `threw ${describeValue(thrown)} instead of an Error`;
}
