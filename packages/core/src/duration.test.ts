import { describe, expect, it } from 'vitest';
import { durationOption, MAX_DURATION_MS } from './duration.js';
import { LameduckConfigError } from './errors.js';

describe('durationOption', () => {
  it('returns the fallback when the option is not given', () => {
    expect(durationOption('drainTimeoutMs', undefined, 20_000)).toBe(20_000);
  });

  it('returns a valid value unchanged', () => {
    expect(durationOption('drainTimeoutMs', 1500, 20_000)).toBe(1500);
  });

  it('accepts both ends of the range', () => {
    expect(durationOption('x', 0, 1)).toBe(0);
    expect(durationOption('x', MAX_DURATION_MS, 1)).toBe(MAX_DURATION_MS);
    expect(durationOption('x', 1, 5, { minMs: 1, maxMs: 10 })).toBe(1);
    expect(durationOption('x', 10, 5, { minMs: 1, maxMs: 10 })).toBe(10);
  });

  it.each([
    ['NaN', Number.NaN, 'number NaN'],
    ['Infinity', Number.POSITIVE_INFINITY, 'number Infinity'],
    ['a string', '5s', 'the string "5s"'],
    ['null', null, 'null'],
    ['a boolean', true, 'boolean true'],
    ['an object', { ms: 5 }, 'an object'],
  ])('refuses %s, naming the option, the value and an example', (_label, value, shown) => {
    expect(() => durationOption('drainTimeoutMs', value, 20_000)).toThrow(
      new LameduckConfigError(
        `drainTimeoutMs must be a number of milliseconds, got ${shown}; for example drainTimeoutMs: 20000`,
      ),
    );
  });

  it('refuses a negative value with the accepted range', () => {
    expect(() => durationOption('drainDelayMs', -1, 0)).toThrow(
      new LameduckConfigError(`drainDelayMs must be between 0 and ${MAX_DURATION_MS} ms, got -1`),
    );
  });

  it('refuses more than a day, which is a unit mistake', () => {
    expect(() => durationOption('drainTimeoutMs', MAX_DURATION_MS + 1, 20_000)).toThrow(LameduckConfigError);
  });

  it('applies custom bounds', () => {
    expect(() => durationOption('timeoutMs', 0, 500, { minMs: 1, maxMs: 1000 })).toThrow(
      'timeoutMs must be between 1 and 1000 ms, got 0',
    );
    expect(() => durationOption('timeoutMs', 1001, 500, { minMs: 1, maxMs: 1000 })).toThrow(
      'timeoutMs must be between 1 and 1000 ms, got 1001',
    );
  });
});
