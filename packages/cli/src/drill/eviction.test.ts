import { describe, expect, it } from 'vitest';
import { EvictionApi } from './eviction.js';

function api(budget: { maxUnavailable: number } | undefined, names: string[]) {
  const pods = names.map((name) => ({ name, healthy: true }));
  const eviction = new EvictionApi({
    budget,
    expected: () => names.length,
    pods: () => pods,
    remove: (name) => {
      // A deleted pod is terminating: no longer healthy, still there until it exits.
      const pod = pods.find((candidate) => candidate.name === name);
      if (pod) pod.healthy = false;
    },
  });
  return { eviction, pods };
}

describe('the Eviction API', () => {
  it('with maxUnavailable 1, evicting three pods at once: one goes, two get 429', () => {
    const { eviction } = api({ maxUnavailable: 1 }, ['p1', 'p2', 'p3']);
    const answers = ['p1', 'p2', 'p3'].map((pod) => eviction.evict(pod).status);
    expect(answers).toEqual([201, 429, 429]);
    expect([eviction.evicted, eviction.refused]).toEqual([1, 2]);
  });

  it('without a budget, all three go at once', () => {
    const { eviction } = api(undefined, ['p1', 'p2', 'p3']);
    expect(['p1', 'p2', 'p3'].map((pod) => eviction.evict(pod).status)).toEqual([201, 201, 201]);
  });

  it('answers 404 for a pod that is gone, and lets the next go once a replacement is healthy', () => {
    const { eviction, pods } = api({ maxUnavailable: 1 }, ['p1', 'p2', 'p3']);
    expect(eviction.evict('p9').status).toBe(404);
    expect(eviction.evict('p1').status).toBe(201);
    expect(eviction.evict('p2').status).toBe(429);
    // p1's replacement became ready: counted in place of p1.
    pods.push({ name: 'p4', healthy: true });
    expect(eviction.evict('p2').status).toBe(201);
  });
});
