import { describe, expect, it } from 'vitest';
import type { CheckEvent } from './checks.js';
import { createLameduck } from './lameduck.js';

/** A lifecycle on a hand-driven clock with one check whose health and duration the test sets. */
function setUp() {
  let nowMs = 1_000_000;
  let healthy = true;
  const lameduck = createLameduck({ logger: false, now: () => nowMs });
  lameduck.check(
    'db',
    () => {
      nowMs += 7;
      if (!healthy) throw new Error('connect ECONNREFUSED');
    },
    { kind: ['readiness', 'startup'], cacheTtlMs: 1000 },
  );
  lameduck.ready();
  const events: CheckEvent[] = [];
  const off = lameduck.on('check', (event) => events.push(event));
  return {
    lameduck,
    events,
    off,
    setHealthy: (value: boolean) => {
      healthy = value;
    },
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
}

describe("lameduck.on('check')", () => {
  it('tells every fresh result, pass -> fail -> pass, with kinds, status and duration; cached results are not events', async () => {
    const { lameduck, events, setHealthy, advance } = setUp();
    await lameduck.probe('readiness');
    await lameduck.probe('readiness'); // cached: no event
    advance(1000);
    setHealthy(false);
    await lameduck.probe('startup');
    advance(1000);
    setHealthy(true);
    await lameduck.probe('readiness');
    expect(events).toEqual([
      {
        name: 'db',
        kinds: ['readiness', 'startup'],
        status: 'pass',
        critical: true,
        startedAt: 1_000_000,
        durationMs: 7,
        cached: false,
      },
      {
        name: 'db',
        kinds: ['readiness', 'startup'],
        status: 'fail',
        critical: true,
        startedAt: 1_001_007,
        durationMs: 7,
        error: 'connect ECONNREFUSED',
        cached: false,
      },
      {
        name: 'db',
        kinds: ['readiness', 'startup'],
        status: 'pass',
        critical: true,
        startedAt: 1_002_014,
        durationMs: 7,
        cached: false,
      },
    ]);
  });

  it('reports a non-critical failure as warn, and a timeout as a fresh failed result', async () => {
    const lameduck = createLameduck({ logger: false });
    lameduck.check('cache', () => Promise.reject(new Error('down')), { critical: false, cacheTtlMs: 0 });
    lameduck.check(
      'slow',
      (signal) => new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())),
      {
        timeoutMs: 50,
        cacheTtlMs: 0,
      },
    );
    const events: CheckEvent[] = [];
    lameduck.on('check', (event) => events.push(event));
    await lameduck.probe('readiness');
    expect(events.map(({ name, status, error }) => ({ name, status, error }))).toEqual([
      { name: 'cache', status: 'warn', error: 'down' },
      { name: 'slow', status: 'fail', error: 'timed out after 50 ms' },
    ]);
  });

  it('stops telling after unsubscribe, and a listener that throws changes neither the result nor the other listeners', async () => {
    const { lameduck, events, off, advance } = setUp();
    const others: CheckEvent[] = [];
    lameduck.on('check', () => {
      throw new Error('listener bug');
    });
    lameduck.on('check', (event) => others.push(event));
    const report = await lameduck.probe('readiness');
    expect(report.status).toBe('pass');
    expect(others).toHaveLength(1);
    off();
    advance(2000);
    await lameduck.probe('readiness');
    expect(events).toHaveLength(1);
    expect(others).toHaveLength(2);
  });

  it('refuses a listener that is not a function with a one-line message', () => {
    const lameduck = createLameduck({ logger: false });
    expect(() => lameduck.on('check', 'nope' as never)).toThrow(
      'a listener must be a function, got the string "nope"',
    );
  });
});
