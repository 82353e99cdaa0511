import { describe, expect, it } from 'vitest';
import { describeBudget, disruptionsAllowed, evictionVerdict } from './disruption-budget.js';

describe('disruption budget', () => {
  it('maxUnavailable 1 of 3 allows one disruption while all 3 are healthy, none at 2', () => {
    const budget = { maxUnavailable: 1 };
    expect(disruptionsAllowed(budget, { expected: 3, healthy: 3 })).toBe(1);
    expect(disruptionsAllowed(budget, { expected: 3, healthy: 2 })).toBe(0);
    expect(disruptionsAllowed(budget, { expected: 3, healthy: 0 })).toBe(0);
  });

  it('minAvailable counts healthy pods, whatever the replicas', () => {
    expect(disruptionsAllowed({ minAvailable: 2 }, { expected: 3, healthy: 3 })).toBe(1);
    expect(disruptionsAllowed({ minAvailable: 2 }, { expected: 5, healthy: 2 })).toBe(0);
  });

  it('refuses a healthy pod when the budget allows no disruption (the 429)', () => {
    const verdict = evictionVerdict({ maxUnavailable: 1 }, { expected: 3, healthy: 2 }, true);
    expect(verdict.allowed).toBe(false);
    expect(verdict.allowed ? '' : verdict.message).toMatch(/violate the pod's disruption budget/);
  });

  it('lets an unhealthy pod go while the budget is met (IfHealthyBudget), not when it is not', () => {
    expect(evictionVerdict({ maxUnavailable: 1 }, { expected: 3, healthy: 2 }, false).allowed).toBe(true);
    expect(evictionVerdict({ maxUnavailable: 1 }, { expected: 3, healthy: 1 }, false).allowed).toBe(false);
  });

  it('without a budget every eviction goes ahead', () => {
    expect(evictionVerdict(undefined, { expected: 3, healthy: 0 }, true).allowed).toBe(true);
    expect(describeBudget(undefined)).toBe('no PodDisruptionBudget');
    expect(describeBudget({ maxUnavailable: 1 })).toBe('PDB maxUnavailable 1');
  });
});
