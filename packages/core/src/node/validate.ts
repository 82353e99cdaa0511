import { durationOption, MAX_DURATION_MS } from '../duration.js';

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
