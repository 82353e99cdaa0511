import { describe, expect, it } from 'vitest';
import { EvictionApi } from './eviction.js';
import { kubectlDrain } from './kubectl-drain.js';
import { Nodes } from './nodes.js';

/**
 * Two drains at once over three pods on a, a, b with a virtual clock: a wait advances it, and
 * an evicted pod is gone (and its replacement healthy) `replaceMs` after its eviction.
 */
function world(budget: { maxUnavailable: number } | undefined, replaceMs: number) {
  let clock = 0;
  const nodes = new Nodes(['a', 'b', 'c'], ['a', 'a', 'b']);
  const pods = new Map<string, { healthy: boolean; goneAtMs?: number }>();
  for (const name of ['p1', 'p2', 'p3']) {
    nodes.place(name);
    pods.set(name, { healthy: true });
  }
  let serial = 3;
  const timers: { atMs: number; run: () => void }[] = [];
  const eviction = new EvictionApi({
    budget,
    expected: () => 3,
    pods: () =>
      [...pods]
        .filter(([, pod]) => pod.goneAtMs === undefined || pod.goneAtMs > clock)
        .map(([name, pod]) => ({ name, healthy: pod.healthy })),
    remove: (name) => {
      const pod = pods.get(name);
      if (!pod) return;
      pod.healthy = false;
      pod.goneAtMs = clock + replaceMs;
      const replacement = `p${++serial}`;
      nodes.place(replacement);
      pods.set(replacement, { healthy: false });
      timers.push({
        atMs: clock + replaceMs,
        run: () => {
          const next = pods.get(replacement);
          if (next) next.healthy = true;
        },
      });
    },
  });
  const log: string[] = [];
  const target = {
    cordon: (node: string) => nodes.cordon(node),
    podsOn: (node: string) => nodes.podsOn(node),
    evict: (pod: string) => eviction.evict(pod),
    isGone: (pod: string) => (pods.get(pod)?.goneAtMs ?? Number.POSITIVE_INFINITY) <= clock,
  };
  // Waits are resolved in order of their end on the virtual clock.
  const sleepers: { atMs: number; resolve: () => void }[] = [];
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      sleepers.push({ atMs: clock + ms, resolve });
    });
  async function advance(): Promise<void> {
    for (let step = 0; step < 1000; step += 1) {
      await new Promise((resolve) => setImmediate(resolve));
      sleepers.sort((x, y) => x.atMs - y.atMs);
      const next = sleepers.shift();
      if (!next) return;
      clock = next.atMs;
      for (const timer of timers.filter((candidate) => candidate.atMs <= clock)) timer.run();
      next.resolve();
    }
  }
  const options = { now: () => clock, wait, log: (line: string) => log.push(line) };
  return { nodes, eviction, target, options, advance, log };
}

describe('kubectl drain', () => {
  it('without a budget evicts all three at once; both drains end when the pods are gone', async () => {
    const w = world(undefined, 3000);
    // Both nodes cordoned before either drain evicts, so that no replacement lands on b.
    w.nodes.cordon('b');
    const drains = Promise.all([
      kubectlDrain('a', w.target, w.options),
      kubectlDrain('b', w.target, w.options),
    ]);
    await w.advance();
    const [a, b] = await drains;
    expect(a.pods).toEqual(['p1', 'p2']);
    expect(b.pods).toEqual(['p3']);
    expect([a.refused, b.refused, w.eviction.refused]).toEqual([0, 0, 0]);
    expect([a.endedMs, b.endedMs]).toEqual([3000, 3000]);
    expect(w.nodes.isCordoned('a') && w.nodes.isCordoned('b')).toBe(true);
    // Replacements went to the one node left.
    expect(w.nodes.podsOn('c')).toHaveLength(3);
  });

  it('with maxUnavailable 1 evicts one pod at a time, retrying the others every 5 s', async () => {
    const w = world({ maxUnavailable: 1 }, 3000);
    w.nodes.cordon('b');
    const drains = Promise.all([
      kubectlDrain('a', w.target, w.options),
      kubectlDrain('b', w.target, w.options),
    ]);
    await w.advance();
    const [a, b] = await drains;
    expect(w.eviction.evicted).toBe(3);
    // t=0: p1 goes, p2 and p3 get 429; t=5 s: one of them goes, the other 429; t=10 s: the last.
    expect(w.eviction.refused).toBe(3);
    expect(Math.max(a.endedMs, b.endedMs)).toBe(13_000);
    expect(w.log.filter((line) => line.includes('will retry after 5s'))).toHaveLength(3);
  });
});
