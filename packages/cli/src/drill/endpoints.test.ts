import { describe, expect, it } from 'vitest';
import { testPod } from '../../test/drill-helpers.js';
import { type Endpoint, EndpointPropagation, endpointsOf, lagBetween } from './endpoints.js';

function endpoint(pod: string, ready = true): Endpoint {
  return { pod, version: 'v1', host: '127.0.0.1', port: 1, ready, serving: ready, terminating: false };
}

function recorder() {
  const arrivals: { atMs: number; pods: string[] }[] = [];
  const startedAt = performance.now();
  return {
    arrivals,
    deliver: (endpoints: readonly Endpoint[]) =>
      arrivals.push({ atMs: performance.now() - startedAt, pods: endpoints.map((each) => each.pod) }),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('EndpointPropagation', () => {
  it('delivers an update no earlier than its lag', async () => {
    const { arrivals, deliver } = recorder();
    const propagation = new EndpointPropagation({ lag: () => 300, deliver });
    expect(propagation.publish([endpoint('a')])).toBe(300);
    await sleep(150);
    expect(arrivals).toEqual([]);
    expect(propagation.pending).toBe(1);
    await sleep(400);
    expect(arrivals).toHaveLength(1);
    expect(arrivals[0]?.atMs).toBeGreaterThanOrEqual(295);
    expect(propagation.pending).toBe(0);
  });

  it('never goes back: a newer set that arrives first drops the older one still on its way', async () => {
    const { arrivals, deliver } = recorder();
    const lags = [400, 100, 250];
    const propagation = new EndpointPropagation({ lag: () => lags.shift() ?? 0, deliver });
    propagation.publish([endpoint('a')]);
    propagation.publish([endpoint('a'), endpoint('b')]);
    await sleep(50);
    propagation.publish([endpoint('b')]);
    await sleep(200);
    expect(arrivals.map((arrival) => arrival.pods)).toEqual([['a', 'b']]);
    expect(propagation.pending).toBe(1);
    await sleep(350);
    expect(arrivals.map((arrival) => arrival.pods)).toEqual([['a', 'b'], ['b']]);
    expect(arrivals[1]?.atMs).toBeGreaterThanOrEqual(295);
    expect(propagation.pending).toBe(0);
  });

  it('does not send the same set twice, and drops what is pending on dispose', async () => {
    const { arrivals, deliver } = recorder();
    const propagation = new EndpointPropagation({ lag: () => 20, deliver });
    propagation.publish([endpoint('a')]);
    expect(propagation.publish([endpoint('a')])).toBeUndefined();
    await sleep(80);
    propagation.publish([endpoint('b')]);
    propagation.dispose();
    await sleep(80);
    expect(arrivals.map((arrival) => arrival.pods)).toEqual([['a']]);
  });
});

describe('lagBetween', () => {
  it('draws from the range, and a range of one value is fixed', () => {
    expect(lagBetween(1000, 5000, () => 0)()).toBe(1000);
    expect(lagBetween(1000, 5000, () => 0.5)()).toBe(3000);
    expect(lagBetween(700, 700)()).toBe(700);
  });
});

describe('endpointsOf', () => {
  const base = testPod('a');

  it('marks terminating pods not ready but still serving, and leaves out pods that exited', () => {
    expect(
      endpointsOf([
        { ...base, name: 'b', deletedAtMs: 5 },
        base,
        { ...base, name: 'c', exit: { code: 0, signal: null } },
        { ...base, name: 'd', started: false, probeReady: false },
      ]),
    ).toEqual([
      { pod: 'a', version: 'v1', host: '127.0.0.1', port: 1, ready: true, serving: true, terminating: false },
      { pod: 'b', version: 'v1', host: '127.0.0.1', port: 1, ready: false, serving: true, terminating: true },
    ]);
  });
});
