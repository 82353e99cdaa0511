import { describe, expect, it } from 'vitest';
import { LameduckConfigError } from '../index.js';
import { checkBudget, worstCaseShutdownMs } from './budget.js';

const base = { drainDelayMs: 5000, drainTimeoutMs: 20_000, drainStartHooks: [], cleanupHooks: [] };

describe('the shutdown budget', () => {
  it('adds delay, drain timeout and every cleanup hook timeout (they run one after another)', () => {
    const cleanupHooks = [
      { name: 'db', timeoutMs: 5000 },
      { name: 'telemetry', timeoutMs: 2000 },
    ];
    expect(worstCaseShutdownMs({ ...base, cleanupHooks })).toBe(32_000);
  });

  it('counts an early-notice hook only when it outlasts the delay and the drain', () => {
    expect(worstCaseShutdownMs({ ...base, drainStartHooks: [{ name: 'sse', timeoutMs: 5000 }] })).toBe(
      25_000,
    );
    expect(worstCaseShutdownMs({ ...base, drainStartHooks: [{ name: 'jobs', timeoutMs: 40_000 }] })).toBe(
      40_000,
    );
  });

  it('passes when it fits, exactly included, and when the grace period is unknown', () => {
    const cleanupHooks = [{ name: 'db', timeoutMs: 5000 }];
    expect(() => checkBudget({ ...base, cleanupHooks, gracePeriodMs: 30_000 })).not.toThrow();
    expect(() => checkBudget({ ...base, drainTimeoutMs: 99_000 })).not.toThrow();
  });

  it('refuses with the numbers, where the grace period came from, and the fix', () => {
    const input = {
      ...base,
      cleanupHooks: [
        { name: 'db', timeoutMs: 5000 },
        { name: 'telemetry', timeoutMs: 5000 },
      ],
      gracePeriodMs: 30_000,
      gracePeriodSource: 'TERMINATION_GRACE_PERIOD_SECONDS=30',
    };
    expect(() => checkBudget(input)).toThrow(LameduckConfigError);
    expect(() => checkBudget(input)).toThrow(
      'the shutdown can take up to 35000 ms (drain delay 5000 + drain timeout 20000 + cleanup hooks "db" 5000 + "telemetry" 5000 ms) but the grace period is 30000 ms (TERMINATION_GRACE_PERIOD_SECONDS=30), so Kubernetes would SIGKILL the process mid-shutdown. Fix: raise terminationGracePeriodSeconds to at least 35 (and the grace period given to lameduck with it), or shorten the budget by 5000 ms: lower drainTimeoutMs (now 20000), drainDelayMs (now 5000) or the hooks\' timeoutMs',
    );
  });
});
