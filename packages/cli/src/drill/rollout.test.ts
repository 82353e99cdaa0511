import { describe, expect, it } from 'vitest';
import { testPod as pod } from '../../test/drill-helpers.js';
import { recreateStep, replicaSetStep, rollingUpdateStep } from './rollout.js';

/**
 * Drives the controller step by step with pods that become available one step after they are
 * created, and checks the two promises of a rolling update at every step.
 */
function simulate(replicas: number, maxSurge: number, maxUnavailable: number) {
  let newDesired = 0;
  let oldDesired = replicas;
  let newAvailable = 0;
  let oldAvailable = replicas;
  const history: { total: number; available: number }[] = [];
  for (let step = 0; step < 100; step += 1) {
    const scale = rollingUpdateStep({
      replicas,
      maxSurge,
      maxUnavailable,
      newDesired,
      newAvailable,
      oldDesired,
      oldAvailable,
    });
    // Old pods removed stop being available at once; new pods become available a step later.
    oldAvailable = Math.min(oldAvailable, scale.oldDesired);
    newAvailable = newDesired;
    newDesired = scale.newDesired;
    oldDesired = scale.oldDesired;
    history.push({ total: newDesired + oldDesired, available: newAvailable + oldAvailable });
    if (oldDesired === 0 && newAvailable === replicas) break;
  }
  return { history, newDesired, oldDesired, newAvailable };
}

describe('rollingUpdateStep', () => {
  it.each([
    [3, 1, 0],
    [3, 0, 1],
    [4, 2, 1],
    [10, 3, 2],
    [1, 1, 0],
  ])(
    'replaces %i replicas with maxSurge %i, maxUnavailable %i and never breaks either',
    (replicas, surge, unavailable) => {
      const { history, newDesired, oldDesired, newAvailable } = simulate(replicas, surge, unavailable);
      expect({ newDesired, oldDesired, newAvailable }).toEqual({
        newDesired: replicas,
        oldDesired: 0,
        newAvailable: replicas,
      });
      for (const { total, available } of history) {
        expect(total).toBeLessThanOrEqual(replicas + surge);
        expect(available).toBeGreaterThanOrEqual(replicas - unavailable);
      }
    },
  );

  it('surges first, and scales the old ReplicaSet down only once a new pod is available', () => {
    const base = { replicas: 3, maxSurge: 1, maxUnavailable: 0, newAvailable: 0, oldAvailable: 3 };
    expect(rollingUpdateStep({ ...base, newDesired: 0, oldDesired: 3 })).toEqual({
      newDesired: 1,
      oldDesired: 3,
    });
    expect(rollingUpdateStep({ ...base, newDesired: 1, oldDesired: 3 })).toEqual({
      newDesired: 1,
      oldDesired: 3,
    });
    expect(rollingUpdateStep({ ...base, newDesired: 1, newAvailable: 1, oldDesired: 3 })).toEqual({
      newDesired: 1,
      oldDesired: 2,
    });
  });

  it('scales unavailable old pods down first', () => {
    expect(
      rollingUpdateStep({
        replicas: 3,
        maxSurge: 0,
        maxUnavailable: 1,
        newDesired: 0,
        newAvailable: 0,
        oldDesired: 3,
        oldAvailable: 2,
      }),
    ).toEqual({ newDesired: 0, oldDesired: 2 });
  });
});

describe('recreateStep', () => {
  it('scales the old pods to 0 and starts new ones only once none is left', () => {
    const state = {
      replicas: 2,
      maxSurge: 0,
      maxUnavailable: 0,
      newDesired: 0,
      newAvailable: 0,
      oldAvailable: 2,
    };
    expect(recreateStep({ ...state, oldDesired: 2, oldPodsLeft: 2 })).toEqual({
      newDesired: 0,
      oldDesired: 0,
    });
    expect(recreateStep({ ...state, oldDesired: 0, oldPodsLeft: 1 })).toEqual({
      newDesired: 0,
      oldDesired: 0,
    });
    expect(recreateStep({ ...state, oldDesired: 0, oldPodsLeft: 0 })).toEqual({
      newDesired: 2,
      oldDesired: 0,
    });
  });
});

describe('replicaSetStep', () => {
  it('creates the pods missing, not counting terminating ones', () => {
    expect(replicaSetStep(3, [pod('a'), pod('b', { deletedAtMs: 5 })])).toEqual({ create: 2, remove: [] });
  });

  it('deletes not-ready pods first, then the most recently ready, then the newest', () => {
    const pods = [
      pod('old', { readySinceMs: 100, createdAtMs: 0 }),
      pod('recent', { readySinceMs: 900, createdAtMs: 50 }),
      pod('unready', { probeReady: false, readySinceMs: undefined, createdAtMs: 10 }),
    ];
    expect(replicaSetStep(1, pods).remove.map((each) => each.name)).toEqual(['unready', 'recent']);
  });
});
