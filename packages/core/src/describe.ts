/**
 * Descriptions of arbitrary values for error messages and log lines. Every function here is
 * total: a revoked Proxy, a Proxy whose traps throw, a getter or `toString` that throws, a
 * Symbol or a BigInt gets a description, never an exception — these run while reporting
 * someone else's failure, where a throw would escape into a promise nobody handles.
 */

const UNREADABLE = 'an unreadable value (a revoked Proxy, or a getter that throws?)';

/** A short description of any value: `the string "x"`, `number 5`, `a Map`, `an array of 2`. */
export function describeValue(value: unknown): string {
  try {
    return describeUnguarded(value);
  } catch {
    return UNREADABLE;
  }
}

function describeUnguarded(value: unknown): string {
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
  return typeof name === 'string' && name !== '' && name !== 'Object' ? `a ${name}` : 'an object';
}

/**
 * What a thrown value says, for a failure reason: an Error's message (or its name), else
 * `threw <description> instead of an Error`.
 */
export function describeThrown(thrown: unknown): string {
  let isError: boolean;
  try {
    isError = thrown instanceof Error;
  } catch {
    // `instanceof` reads the prototype: a revoked Proxy, or a getPrototypeOf trap that throws.
    return `threw ${UNREADABLE} instead of an Error`;
  }
  if (!isError) return `threw ${describeValue(thrown)} instead of an Error`;
  const message = read(thrown, 'message');
  if (typeof message === 'string' && message !== '') return message;
  const name = read(thrown, 'name');
  if (message === READ_FAILED) return 'an Error whose message cannot be read (its getter throws)';
  if (message !== undefined && typeof message !== 'string') {
    return `an Error whose message is ${describeValue(message)} instead of a string`;
  }
  return typeof name === 'string' && name !== '' ? name : 'an Error without a message';
}

/** `String(value)`, or a description when that throws (a `toString` that throws, a revoked Proxy). */
export function safeString(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    const text = String(value);
    return typeof text === 'string' ? text : describeValue(value);
  } catch {
    return describeValue(value);
  }
}

/** An Error's message, or for anything else what `String()` makes of it; never throws. */
export function errorMessage(thrown: unknown): string {
  let isError = false;
  try {
    isError = thrown instanceof Error;
  } catch {
    return UNREADABLE;
  }
  return isError ? describeThrown(thrown) : safeString(thrown);
}

const READ_FAILED = Symbol('read failed');

function read(object: unknown, key: string): unknown {
  try {
    return (object as Record<string, unknown>)[key];
  } catch {
    return READ_FAILED;
  }
}
