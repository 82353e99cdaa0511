import { describe, expect, it } from 'vitest';
import { LameduckConfigError } from '../index.js';
import { checkHookBudget, worstCaseShutdownMs } from './budget.js';

const base = { drainDelayMs: 5000, drainTimeoutMs: 20_000, cleanupTimeoutMs: 5000, drainStartHooks: [] };

describe('the shutdown budget with hooks beside the drain', () => {
  it('counts the cleanup phase once, whatever number of cleanup hooks there are', () => {
    expect(worstCaseShutdownMs(base)).toBe(30_350);
  });

  it('counts an early-notice hook only when it outlasts the delay and the drain', () => {
    expect(worstCaseShutdownMs({ ...base, drainStartHooks: [{ name: 'sse', timeoutMs: 5000 }] })).toBe(
      30_350,
    );
    expect(worstCaseShutdownMs({ ...base, drainStartHooks: [{ name: 'jobs', timeoutMs: 40_000 }] })).toBe(
      45_000,
    );
  });

  it('refuses, or returns the timeout that fits, for a hook that overflows', () => {
    const input = { ...base, drainStartHooks: [{ name: 'jobs', timeoutMs: 40_000 }], gracePeriodMs: 40_000 };
    expect(() => checkHookBudget(input, 'refuse', 40_000)).toThrow(LameduckConfigError);
    expect(() => checkHookBudget(input, 'refuse', 40_000)).toThrow(
      /up to 45000 ms \(early-notice hook 40000 \+ cleanup 5000 ms\)/,
    );
    expect(checkHookBudget(input, 'fit', 40_000)).toBe(34_000);
    expect(
      worstCaseShutdownMs({ ...input, drainStartHooks: [{ name: 'jobs', timeoutMs: 34_000 }] }) + 1000,
    ).toBe(40_000);
    expect(checkHookBudget({ ...input, gracePeriodMs: 46_000 }, 'refuse', 40_000)).toBeUndefined();
  });
});
