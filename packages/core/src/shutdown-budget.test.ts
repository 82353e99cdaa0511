import { describe, expect, it } from 'vitest';
import { LameduckConfigError } from './errors.js';
import {
  budgetMode,
  FIXED_WAITS_MS,
  fitShutdownBudget,
  fittedMessage,
  HEADROOM_MS,
  overBudgetMessage,
  shutdownBudget,
} from './shutdown-budget.js';

const manifest = { drainDelayMs: 0, drainTimeoutMs: 20_000, cleanupTimeoutMs: 5000 };

describe('shutdownBudget', () => {
  it("adds delay, drain timeout, lameduck's own waits and the cleanup phase, then headroom", () => {
    expect(FIXED_WAITS_MS).toBe(350);
    expect(HEADROOM_MS).toBe(1000);
    const budget = shutdownBudget({ ...manifest, drainDelayMs: 5000, gracePeriodMs: 30_000 });
    expect(budget).toMatchObject({ drainEndMs: 25_350, worstCaseMs: 30_350, neededMs: 31_350 });
    expect(budget).toMatchObject({ fits: false, overMs: 1350 });
  });

  it('fits the recommended manifest (grace 30 s from SIGTERM, delay 0, drain 20 s, cleanup 5 s)', () => {
    expect(shutdownBudget({ ...manifest, gracePeriodMs: 30_000 })).toMatchObject({
      worstCaseMs: 25_350,
      neededMs: 26_350,
      fits: true,
      overMs: 0,
    });
  });

  it('keeps the headroom: a worst case equal to the grace period does not fit', () => {
    const { worstCaseMs } = shutdownBudget(manifest);
    expect(shutdownBudget({ ...manifest, gracePeriodMs: worstCaseMs }).fits).toBe(false);
    expect(shutdownBudget({ ...manifest, gracePeriodMs: worstCaseMs + 999 }).overMs).toBe(1);
    expect(shutdownBudget({ ...manifest, gracePeriodMs: worstCaseMs + 1000 }).fits).toBe(true);
    expect(shutdownBudget({ ...manifest, drainTimeoutMs: 99_000 }).fits).toBe(true);
  });

  it('counts an early-notice hook only when it outlasts the drain, an upgraded one from when the listeners close', () => {
    expect(shutdownBudget({ ...manifest, longestDrainStartHookMs: 5000 }).worstCaseMs).toBe(25_350);
    expect(shutdownBudget({ ...manifest, longestDrainStartHookMs: 40_000 }).worstCaseMs).toBe(45_000);
    const upgraded = shutdownBudget({ ...manifest, drainTimeoutMs: 2000, longestUpgradedHookMs: 6000 });
    expect(upgraded.worstCaseMs).toBe(1000 + 6000 + 5000);
    expect(upgraded.drainParts).toBe('drain delay 0 + accept queue 1000 + upgraded-socket hook 6000');
  });
});

describe('fitShutdownBudget', () => {
  it('cuts the drain timeout first, just enough', () => {
    const times = { drainDelayMs: 5000, drainTimeoutMs: 20_000, cleanupTimeoutMs: 5000 };
    expect(fitShutdownBudget(times, 30_000)).toEqual({
      times: { drainDelayMs: 5000, drainTimeoutMs: 18_650, cleanupTimeoutMs: 5000 },
      fits: true,
    });
  });

  it('then the cleanup phase, then the delay, each to its floor, then drain and cleanup to 0', () => {
    const times = { drainDelayMs: 5000, drainTimeoutMs: 20_000, cleanupTimeoutMs: 5000 };
    expect(fitShutdownBudget(times, 8000).times).toEqual({
      drainDelayMs: 4650,
      drainTimeoutMs: 1000,
      cleanupTimeoutMs: 1000,
    });
    expect(fitShutdownBudget(times, 3000).times).toEqual({
      drainDelayMs: 0,
      drainTimeoutMs: 650,
      cleanupTimeoutMs: 1000,
    });
    expect(fitShutdownBudget(times, 1000)).toEqual({
      times: { drainDelayMs: 0, drainTimeoutMs: 0, cleanupTimeoutMs: 0 },
      fits: false,
    });
  });

  it('leaves a configuration that fits alone', () => {
    expect(fitShutdownBudget(manifest, 30_000)).toEqual({ times: manifest, fits: true });
  });
});

describe('the messages', () => {
  it("the refusal names the numbers, the grace period's source and the fix", () => {
    expect(
      overBudgetMessage({
        drainDelayMs: 5000,
        drainTimeoutMs: 20_000,
        cleanupTimeoutMs: 10_000,
        gracePeriodMs: 30_000,
        gracePeriodSource: 'TERMINATION_GRACE_PERIOD_SECONDS=30',
      }),
    ).toBe(
      "the shutdown can take up to 35350 ms (drain delay 5000 + drain timeout 20000 + lameduck's own waits 350 + cleanup 10000 ms), which with 1000 ms of headroom does not fit the grace period of 30000 ms (TERMINATION_GRACE_PERIOD_SECONDS=30), so Kubernetes would SIGKILL the process mid-shutdown. Fix: raise terminationGracePeriodSeconds to at least 37 (and the grace period given to lameduck with it), or shorten the budget by 6350 ms: lower drainTimeoutMs (now 20000), cleanupTimeoutMs (now 10000), drainDelayMs (now 5000) or a long hook's timeoutMs",
    );
  });

  it('the fitted line says what was cut, from what to what, and the fix', () => {
    const times = { drainDelayMs: 5000, drainTimeoutMs: 20_000, cleanupTimeoutMs: 5000 };
    const fitted = fitShutdownBudget(times, 30_000).times;
    expect(fittedMessage(times, fitted, 30_000, 'TERMINATION_GRACE_PERIOD_SECONDS=30')).toBe(
      "the shutdown could take up to 30350 ms (drain delay 5000 + drain timeout 20000 + lameduck's own waits 350 + cleanup 5000 ms), which with 1000 ms of headroom does not fit the grace period of 30000 ms (TERMINATION_GRACE_PERIOD_SECONDS=30); started anyway with drainTimeoutMs 20000 -> 18650 ms. Fix: raise terminationGracePeriodSeconds to at least 32 (and TERMINATION_GRACE_PERIOD_SECONDS with it), or set LAMEDUCK_DRAIN_TIMEOUT_MS=18650; LAMEDUCK_BUDGET=refuse refuses to start instead",
    );
  });

  it('budgetMode takes fit or refuse and refuses anything else with the fix', () => {
    expect(budgetMode('refuse', 'LAMEDUCK_BUDGET')).toBe('refuse');
    expect(budgetMode(' fit ', 'LAMEDUCK_BUDGET')).toBe('fit');
    expect(budgetMode('', 'LAMEDUCK_BUDGET')).toBeUndefined();
    expect(() => budgetMode('strict', 'LAMEDUCK_BUDGET')).toThrow(LameduckConfigError);
    expect(() => budgetMode('strict', 'LAMEDUCK_BUDGET')).toThrow(
      `LAMEDUCK_BUDGET must be 'fit' (start anyway, shortening the drain to fit the grace period) or 'refuse' (throw at startup), got "strict"; for example LAMEDUCK_BUDGET=refuse`,
    );
  });
});
