import { describe, expect, it } from 'vitest';
import { MAX_SLOW_MS, parseSlowMs } from './slow.js';

describe('parseSlowMs', () => {
  it('accepts whole numbers of milliseconds up to the limit', () => {
    expect(parseSlowMs('0')).toBe(0);
    expect(parseSlowMs('1500')).toBe(1500);
    expect(parseSlowMs(String(MAX_SLOW_MS))).toBe(MAX_SLOW_MS);
  });

  it.each([undefined, '', '-1', '1.5', 'abc', '1e3', '999999', ['5']])('refuses %o', (raw) => {
    expect(parseSlowMs(raw)).toBeUndefined();
  });
});
