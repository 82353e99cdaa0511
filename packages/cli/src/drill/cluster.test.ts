import { afterEach, describe, expect, it } from 'vitest';
import { probe, processesTagged, serverCommand, testSpec, uniqueTag } from '../../test/drill-helpers.js';
import { Cluster } from './cluster.js';
import { lagBetween } from './endpoints.js';
import { loopbackPods } from './network.js';
import { isActive, isReady } from './pod.js';
import { ServiceProxy } from './proxy.js';
import { podEnv } from './run.js';
import type { DrillSpec } from './spec.js';
import { Timeline } from './timeline.js';

// A whole rollout of real processes (test/fixtures/drill/server.mjs) with millisecond probes.

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function rollout(spec: DrillSpec, lagMs: number) {
  const tag = uniqueTag();
  const timeline = new Timeline();
  const proxy = await ServiceProxy.listen();
  const cluster = new Cluster({
    spec,
    container: {
      command: serverCommand(tag),
      cwd: process.cwd(),
      env: (pod) => podEnv(spec, pod),
    },
    proxy,
    pods: loopbackPods,
    timeline,
    lag: lagBetween(lagMs, lagMs),
    readyTimeoutMs: 10_000,
  });
  cleanups.push(
    () => cluster.dispose(),
    () => proxy.close(),
  );
  await cluster.deploy('v1');
  expect(proxy.endpoints.map((endpoint) => endpoint.pod)).toEqual(['web-v1-1', 'web-v1-2', 'web-v1-3']);

  // The two promises of a rolling update, checked whenever anything happens.
  let mostPods = 0;
  let fewestReady = Number.POSITIVE_INFINITY;
  timeline.onEvent(() => {
    mostPods = Math.max(mostPods, cluster.pods.filter(isActive).length);
    fewestReady = Math.min(fewestReady, cluster.pods.filter(isReady).length);
  });
  await cluster.rollout('v2');
  await cluster.settled();
  return { cluster, proxy, timeline, mostPods, fewestReady, tag };
}

const preStop = { type: 'sleep', ms: 200, how: 'sleep' } as const;

describe('Cluster rollout', () => {
  it('with maxSurge 1 and maxUnavailable 0: never more than 4 pods, never fewer than 3 ready', async () => {
    const spec = testSpec({ replicas: 3, maxSurge: 1, maxUnavailable: 0, preStop });
    const { cluster, proxy, mostPods, fewestReady, tag } = await rollout(spec, 100);
    expect(mostPods).toBe(4);
    expect(fewestReady).toBe(3);
    const versions = cluster.pods.map((pod) => `${pod.name}:${pod.exit ? 'exited' : 'running'}`);
    expect(versions).toEqual([
      'web-v1-1:exited',
      'web-v1-2:exited',
      'web-v1-3:exited',
      'web-v2-1:running',
      'web-v2-2:running',
      'web-v2-3:running',
    ]);
    expect(proxy.endpoints.map((endpoint) => endpoint.pod)).toEqual(['web-v2-1', 'web-v2-2', 'web-v2-3']);
    expect(processesTagged(tag)).toHaveLength(3);
  });

  it('with maxSurge 0 and maxUnavailable 1: never more than 3 pods, never fewer than 2 ready', async () => {
    const spec = testSpec({ replicas: 3, maxSurge: 0, maxUnavailable: 1, preStop });
    const { mostPods, fewestReady } = await rollout(spec, 100);
    expect(mostPods).toBe(3);
    expect(fewestReady).toBe(2);
  });

  it('removes a deleted pod from the proxy only after the propagation lag', async () => {
    const spec = testSpec({
      replicas: 3,
      preStop: { type: 'sleep', ms: 600, how: 'sleep' },
      probes: { readiness: probe('/readyz', 50) },
    });
    const { timeline } = await rollout(spec, 400);
    for (const pod of ['web-v1-1', 'web-v1-2', 'web-v1-3']) {
      const deleted =
        timeline.events.find((event) => event.kind === 'pod-deleted' && event.pod === pod)?.atMs ?? 0;
      const removed = timeline.events.find(
        (event) =>
          event.kind === 'endpoints-applied' && event.atMs >= deleted && !(event.detail ?? '').includes(pod),
      )?.atMs;
      expect(removed).toBeDefined();
      expect((removed ?? 0) - deleted).toBeGreaterThanOrEqual(390);
    }
  });

  it('leaves no process behind once disposed', async () => {
    const { cluster, tag } = await rollout(testSpec({ replicas: 3 }), 50);
    cluster.dispose();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(processesTagged(tag)).toEqual([]);
  });
});

describe('Clusters side by side on one node', () => {
  it('give the node a key per pod that no other run uses, though their pods have the same names', async () => {
    const tag = uniqueTag();
    const spec = testSpec({ replicas: 2, probes: { readiness: probe('/ready') } });
    // A node that, like the kernel mode's, knows each pod's namespace by its key.
    const attached = new Map<string, number>();
    const detached: string[] = [];
    const pods = {
      attach: async (key: string) => {
        attached.set(key, (attached.get(key) ?? 0) + 1);
        return loopbackPods.attach(key);
      },
      detach: async (key: string) => {
        detached.push(key);
      },
    };
    const runs = await Promise.all(
      [1, 2].map(async () => {
        const proxy = await ServiceProxy.listen();
        const timeline = new Timeline();
        const cluster = new Cluster({
          spec,
          container: { command: serverCommand(tag), cwd: process.cwd(), env: (pod) => podEnv(spec, pod) },
          proxy,
          pods,
          timeline,
          lag: lagBetween(0, 0),
          readyTimeoutMs: 10_000,
        });
        cleanups.push(
          () => cluster.dispose(),
          () => proxy.close(),
        );
        await cluster.deploy('v1');
        return cluster;
      }),
    );
    expect(runs.map((cluster) => cluster.pods.map((pod) => pod.name))).toEqual([
      ['web-v1-1', 'web-v1-2'],
      ['web-v1-1', 'web-v1-2'],
    ]);
    expect(attached.size).toBe(4);
    expect([...attached.values()]).toEqual([1, 1, 1, 1]);
    runs[0]?.dispose();
    // One run's teardown detaches its own pods only.
    expect(new Set(detached).size).toBe(2);
    expect(detached.every((key) => attached.has(key))).toBe(true);
    runs[1]?.dispose();
    expect(new Set(detached).size).toBe(4);
  }, 30_000);
});
