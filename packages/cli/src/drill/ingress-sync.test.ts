import { describe, expect, it } from 'vitest';
import { testPod } from '../../test/drill-helpers.js';
import { endpointsOf } from './endpoints.js';
import { type Backend, backendsBody, IngressSync } from './ingress-sync.js';

describe('IngressSync (the controller)', () => {
  it('sends Ready endpoints only, at once the first time, then no more than its rate allows', async () => {
    const pushed: { atMs: number; backends: readonly Backend[] }[] = [];
    const startedAt = performance.now();
    // 10 syncs a second: one every 100 ms.
    const sync = new IngressSync({
      syncPerSecond: 10,
      push: async (backends) => {
        pushed.push({ atMs: performance.now() - startedAt, backends });
      },
    });
    const a = testPod('a', { host: '10.0.0.1', port: 8080 });
    const b = testPod('b', { host: '10.0.0.2', port: 8080 });
    await sync.update(endpointsOf([a, b]));
    // b terminating: not Ready, so gone from the backends (no terminating fallback).
    const second = sync.update(endpointsOf([a, { ...b, deletedAtMs: 1 }]));
    const third = sync.update(
      endpointsOf([
        { ...a, probeReady: false },
        { ...b, deletedAtMs: 1 },
      ]),
    );
    await Promise.all([second, third]);
    expect(pushed.map((push) => push.backends.map((backend) => backend.host))).toEqual([
      ['10.0.0.1', '10.0.0.2'],
      [],
    ]);
    expect(pushed[1]?.atMs ?? 0).toBeGreaterThanOrEqual(90);
    // The same backends again: nothing to send.
    await sync.update(endpointsOf([{ ...a, probeReady: false }]));
    expect(pushed).toHaveLength(2);
    sync.close();
  });

  it('writes one "host port" a line', () => {
    expect(backendsBody([{ host: '10.0.0.1', port: 8080 }])).toBe('10.0.0.1 8080\n');
  });
});
