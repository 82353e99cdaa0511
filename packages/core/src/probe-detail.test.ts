import { describe, expect, it } from 'vitest';
import { LameduckConfigError } from './errors.js';
import { respondToProbe } from './kit.js';
import { createLameduck, type LameduckOptions } from './lameduck.js';
import { parseProbeDetail, probeDetailOption } from './probe-detail.js';

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
const JSON_ACCEPT = { accept: 'application/health+json' };

/** A ready lifecycle with one passing and one failing readiness check. */
function failing(options: LameduckOptions = {}) {
  const lameduck = createLameduck({ logger: false, now: () => T0, ...options });
  lameduck.check('db', async () => {});
  lameduck.check('queue', async () => {
    throw new Error('broker at 10.0.0.7 refused');
  });
  lameduck.ready();
  return lameduck;
}

async function body(options: LameduckOptions, path: string, headers: Record<string, string> = {}) {
  return (await respondToProbe(failing(options), { method: 'GET', path, headers }))?.body;
}

describe('probeDetail', () => {
  it("'names' is the default: check names and ok/failed, the lifecycle as ok, nothing else", async () => {
    expect(await body({}, '/readyz')).toBe(
      '[+]lifecycle ok\n[+]db ok\n[-]queue failed\nreadiness check failed\n',
    );
    expect(JSON.parse((await body({}, '/readyz', JSON_ACCEPT)) ?? '')).toEqual({
      status: 'fail',
      description: 'readiness probe',
      checks: {
        db: [{ componentId: 'db', status: 'pass' }],
        queue: [{ componentId: 'queue', status: 'fail' }],
      },
    });
  });

  it("'names' says the lifecycle failed, not which state it is in", async () => {
    const lameduck = createLameduck({ logger: false });
    expect((await respondToProbe(lameduck, { method: 'GET', path: '/readyz' }))?.body).toBe(
      '[-]lifecycle failed\nreadiness check failed\n',
    );
  });

  it("'status' gives the status line alone, in text and JSON", async () => {
    expect(await body({ probeDetail: 'status' }, '/readyz')).toBe('readiness check failed\n');
    expect(await body({ probeDetail: 'status' }, '/readyz?verbose&exclude=queue')).toBe(
      'readiness check passed\n',
    );
    expect(await body({ probeDetail: 'status' }, '/livez')).toBe('ok\n');
    expect(JSON.parse((await body({ probeDetail: 'status' }, '/readyz', JSON_ACCEPT)) ?? '')).toEqual({
      status: 'fail',
      description: 'readiness probe',
    });
  });

  it("'full' is every detail: the state, durations, timestamps, and reasons with exposeDetails", async () => {
    expect(await body({ probeDetail: 'full' }, '/readyz')).toBe(
      '[+]lifecycle ready\n[+]db ok\n[-]queue failed: reason withheld\nreadiness check failed\n',
    );
    const [queue] = JSON.parse((await body({ probeDetail: 'full' }, '/readyz', JSON_ACCEPT)) ?? '').checks
      .queue;
    expect(queue).toMatchObject({
      time: new Date(T0).toISOString(),
      durationMs: 0,
      output: 'reason withheld',
    });
    // exposeDetails alone asks for the reasons, so it makes 'full' the default.
    expect(await body({ exposeDetails: true }, '/readyz')).toContain(
      '[-]queue failed: broker at 10.0.0.7 refused',
    );
  });

  it('never shows durations, timestamps or reasons below full', async () => {
    for (const probeDetail of ['status', 'names'] as const) {
      const json = (await body({ probeDetail, exposeDetails: true }, '/readyz?verbose', JSON_ACCEPT)) ?? '';
      for (const word of ['durationMs', 'time', 'observedValue', 'state', 'broker', 'cached']) {
        expect(json).not.toContain(word);
      }
      expect(await body({ probeDetail, exposeDetails: true }, '/readyz?verbose')).not.toContain('broker');
    }
  });

  it('refuses anything else with the choices', () => {
    expect(() => probeDetailOption('verbose')).toThrow(LameduckConfigError);
    expect(() => createLameduck({ probeDetail: 'none' as never })).toThrow(
      /^probeDetail must be 'status' \(the status line alone: for a port the public can reach\), 'names' .* or 'full' .*, got the string "none"$/,
    );
  });
});

describe('parseProbeDetail (LAMEDUCK_PROBE_DETAIL)', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    [' status ', 'status'],
    ['names', 'names'],
    ['full', 'full'],
  ])('reads %j as %j', (raw, value) => {
    expect(parseProbeDetail(raw)).toEqual({ ok: true, value });
  });

  it('refuses another word, naming the variable, the value, the choices and the fix', () => {
    expect(parseProbeDetail('Status')).toEqual({
      ok: false,
      message:
        "LAMEDUCK_PROBE_DETAIL must be 'status' (the status line alone: for a port the public can reach), 'names' (check names and ok/failed) or 'full' (durations, timestamps and the state too), got \"Status\"; for example LAMEDUCK_PROBE_DETAIL=status",
    });
  });
});
