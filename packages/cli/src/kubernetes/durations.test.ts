import { describe, expect, it } from 'vitest';
import { durationMs } from './durations.js';

describe('durationMs', () => {
  it.each([
    ['60', 60_000],
    ['60s', 60_000],
    ['1m', 60_000],
    ['1h0m30s', 3_630_000],
    ['1.5s', 1_500],
    ['300ms', 300],
    [75, 75_000],
  ])('reads %j as %i ms', (value, ms) => {
    expect(durationMs(value)).toBe(ms);
  });

  it.each(['', 'soon', '5 s', '-1s', '1x', null])('leaves %j unread', (value) => {
    expect(durationMs(value)).toBeUndefined();
  });
});
