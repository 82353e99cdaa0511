import { describe, expect, it } from 'vitest';
import { LameduckConfigError } from './errors.js';
import { respondToProbe } from './kit.js';
import { createLameduck } from './lameduck.js';

describe("readinessWhileDraining: 'pass' keeps readiness passing until the process closes", () => {
  it("by default ('fail') readiness answers 503 from the moment the drain starts", async () => {
    const lameduck = createLameduck({ logger: false });
    lameduck.ready();
    lameduck.drain('SIGTERM');
    expect((await respondToProbe(lameduck, { method: 'GET', path: '/readyz' }))?.status).toBe(503);
  });

  it("with 'pass', readiness keeps passing while draining, still runs its checks, and fails once closed", async () => {
    let healthy = true;
    let calls = 0;
    const lameduck = createLameduck({ logger: false, readinessWhileDraining: 'pass' });
    lameduck.check(
      'db',
      () => {
        calls += 1;
        if (!healthy) throw new Error('down');
      },
      { cacheTtlMs: 0 },
    );
    lameduck.ready();
    lameduck.drain('SIGTERM');
    expect((await respondToProbe(lameduck, { method: 'GET', path: '/readyz' }))?.status).toBe(200);
    expect(calls).toBe(1);
    healthy = false;
    expect((await respondToProbe(lameduck, { method: 'GET', path: '/readyz' }))?.status).toBe(503);
    healthy = true;
    lameduck.close('drained');
    const closed = await lameduck.probe('readiness');
    expect(closed).toMatchObject({ status: 'fail', stateFailure: 'closed: shutting down' });
    expect((await lameduck.probe('liveness')).status).toBe('pass');
  });

  it("with 'pass', readiness still fails while starting", async () => {
    const lameduck = createLameduck({ logger: false, readinessWhileDraining: 'pass' });
    expect((await lameduck.probe('readiness')).status).toBe('fail');
  });

  it('refuses anything but fail or pass', () => {
    expect(() => createLameduck({ readinessWhileDraining: 'yes' as never })).toThrow(LameduckConfigError);
    expect(() => createLameduck({ readinessWhileDraining: 'yes' as never })).toThrow(
      /^readinessWhileDraining must be 'fail' or 'pass', got the string "yes"$/,
    );
  });
});

describe('probe() refuses an unknown kind instead of passing it', () => {
  it.each(['readyness', 'ready', '', 'LIVENESS'])('probe(%o) throws, naming the kinds', (kind) => {
    const lameduck = createLameduck({ logger: false });
    lameduck.ready();
    expect(() => lameduck.probe(kind as never)).toThrow(LameduckConfigError);
    expect(() => lameduck.probe(kind as never)).toThrow(
      /^unknown probe kind .*; use 'liveness', 'readiness', 'startup'$/,
    );
  });
});
