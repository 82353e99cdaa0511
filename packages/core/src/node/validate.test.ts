import { describe, expect, it } from 'vitest';
import { describeThrown, describeValue, durationMs } from './validate.js';

describe('durationMs', () => {
  it('returns the value, or the fallback when undefined', () => {
    expect(durationMs('x', 10, 5)).toBe(10);
    expect(durationMs('x', undefined, 5)).toBe(5);
    expect(durationMs('x', 0, 5)).toBe(0);
  });

  it('names the option, the value and the range', () => {
    expect(() => durationMs('drainTimeoutMs', -5, 20_000)).toThrow(
      'drainTimeoutMs must be between 0 and 86400000 ms, got -5',
    );
    expect(() => durationMs('hookTimeoutMs', '5s', 5000)).toThrow(
      'hookTimeoutMs must be a number of milliseconds, got the string "5s"; for example hookTimeoutMs: 5000',
    );
  });
});

describe('describeValue and describeThrown', () => {
  it('describe anything without throwing', () => {
    expect(describeValue(null)).toBe('null');
    expect(describeValue([1, 2])).toBe('an array of 2');
    expect(describeValue(new Map())).toBe('a Map');
    expect(describeValue({})).toBe('an object');
    expect(describeValue(Object.create(null))).toBe('an object');
    expect(describeThrown(new Error('boom'))).toBe('boom');
    expect(describeThrown('boom')).toBe('threw the string "boom" instead of an Error');
  });
});
