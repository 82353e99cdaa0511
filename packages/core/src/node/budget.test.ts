import { describe, expect, it } from 'vitest';
import { LameduckConfigError } from '../index.js';
import { checkBudget, FIXED_WAITS_MS, HEADROOM_MS, worstCaseShutdownMs } from './budget.js';

const base = { drainDelayMs: 5000, drainTimeoutMs: 20_000, drainStartHooks: [], cleanupHooks: [] };

describe('the shutdown budget', () => {
  it('adds delay, drain timeout and every cleanup hook timeout (they run one after another)', () => {
    const cleanupHooks = [
      { name: 'db', timeoutMs: 5000 },
      { name: 'telemetry', timeoutMs: 2000 },
    ];
    expect(worstCaseShutdownMs({ ...base, cleanupHooks })).toBe(32_000 + FIXED_WAITS_MS);
  });

  it("counts lameduck's own waits: the moment after deadlineSignal, the wait after the destroy", () => {
    expect(FIXED_WAITS_MS).toBe(250 + 100);
    expect(worstCaseShutdownMs({ ...base, drainDelayMs: 0, drainTimeoutMs: 0 })).toBe(350);
  });

  it('counts upgraded-socket hooks: they start when the listeners close', () => {
    const upgradedHooks = [{ name: 'websockets', timeoutMs: 6000 }];
    const input = { ...base, drainDelayMs: 0, drainTimeoutMs: 2000, upgradedHooks };
    expect(worstCaseShutdownMs(input)).toBe(1000 + 6000);
    expect(worstCaseShutdownMs({ ...input, cleanupHooks: [{ name: 'db', timeoutMs: 1000 }] })).toBe(8000);
    expect(() => checkBudget({ ...input, gracePeriodMs: 2000 })).toThrow(/upgraded-socket hooks 6000/);
  });

  it('keeps headroom: a worst case equal to the grace period is refused', () => {
    expect(HEADROOM_MS).toBe(1000);
    const worst = worstCaseShutdownMs(base);
    expect(() => checkBudget({ ...base, gracePeriodMs: worst })).toThrow(/1000 ms of headroom/);
    expect(() => checkBudget({ ...base, gracePeriodMs: worst + 999 })).toThrow(LameduckConfigError);
    expect(() => checkBudget({ ...base, gracePeriodMs: worst + 1000 })).not.toThrow();
  });

  it('counts an early-notice hook only when it outlasts the delay and the drain', () => {
    expect(worstCaseShutdownMs({ ...base, drainStartHooks: [{ name: 'sse', timeoutMs: 5000 }] })).toBe(
      25_000 + FIXED_WAITS_MS,
    );
    expect(worstCaseShutdownMs({ ...base, drainStartHooks: [{ name: 'jobs', timeoutMs: 40_000 }] })).toBe(
      40_000,
    );
  });

  it('passes when it fits with headroom, and when the grace period is unknown', () => {
    const cleanupHooks = [{ name: 'db', timeoutMs: 5000 }];
    expect(() => checkBudget({ ...base, cleanupHooks, gracePeriodMs: 32_000 })).not.toThrow();
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
      'the shutdown can take up to 35350 ms (drain delay 5000 + drain timeout 20000 + lameduck\'s own waits 350 + cleanup hooks "db" 5000 + "telemetry" 5000 ms), which with 1000 ms of headroom does not fit the grace period of 30000 ms (TERMINATION_GRACE_PERIOD_SECONDS=30), so Kubernetes would SIGKILL the process mid-shutdown. Fix: raise terminationGracePeriodSeconds to at least 37 (and the grace period given to lameduck with it), or shorten the budget by 6350 ms: lower drainTimeoutMs (now 20000), drainDelayMs (now 5000) or the hooks\' timeoutMs',
    );
  });
});
