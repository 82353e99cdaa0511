import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../test/support/logger.js';
import { respondToProbe } from './kit.js';
import { createLameduck } from './lameduck.js';

/** A lifecycle on a hand-driven clock, with one check whose health the test switches. */
function setUp(options: { critical?: boolean; exposeDetails?: boolean } = {}) {
  const { logger, lines } = recordingLogger();
  let nowMs = 1_000_000;
  let healthy = true;
  const lameduck = createLameduck({
    logger,
    now: () => nowMs,
    ...(options.exposeDetails === undefined ? {} : { exposeDetails: options.exposeDetails }),
  });
  lameduck.check(
    'db',
    () => {
      if (!healthy) throw new Error('connect ECONNREFUSED 127.0.0.1:5432\nsecond line');
    },
    { cacheTtlMs: 0, critical: options.critical ?? true },
  );
  lameduck.ready();
  const checkLines = () => lines.filter((line) => line.includes('check "db"'));
  return {
    lameduck,
    checkLines,
    setHealthy: (value: boolean) => {
      healthy = value;
    },
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
}

describe('check transitions are logged, once per change', () => {
  it('logs passing -> failing with the reason, and failing -> passing, while the probe withholds the reason', async () => {
    const { lameduck, checkLines, setHealthy, advance } = setUp();
    await lameduck.probe('readiness');
    expect(checkLines()).toEqual([]); // a first pass is no news

    setHealthy(false);
    advance(10);
    const answer = await respondToProbe(lameduck, { method: 'GET', path: '/readyz?verbose' });
    expect(answer?.status).toBe(503);
    expect(answer?.body).toContain('failed');
    expect(answer?.body).not.toContain('ECONNREFUSED');
    for (let i = 0; i < 5; i += 1) await lameduck.probe('readiness');
    advance(2500);
    setHealthy(true);
    await lameduck.probe('readiness');
    await lameduck.probe('readiness');

    expect(checkLines()).toEqual([
      'warn [lameduck] check "db" failing (after 10 ms passing): connect ECONNREFUSED 127.0.0.1:5432 second line',
      'info [lameduck] check "db" passing again (after 2500 ms failing)',
    ]);
  });

  it('logs a check that fails from its very first run', async () => {
    const { lameduck, checkLines, setHealthy } = setUp();
    setHealthy(false);
    await lameduck.probe('readiness');
    await lameduck.probe('readiness');
    expect(checkLines()).toEqual([
      'warn [lameduck] check "db" failing: connect ECONNREFUSED 127.0.0.1:5432 second line',
    ]);
  });

  it('names a non-critical check as such', async () => {
    const { lameduck, checkLines, setHealthy } = setUp({ critical: false });
    setHealthy(false);
    expect((await lameduck.probe('readiness')).status).toBe('warn');
    expect(checkLines()).toEqual([
      'warn [lameduck] non-critical check "db" failing: connect ECONNREFUSED 127.0.0.1:5432 second line',
    ]);
  });

  it('logs a timeout as a failure with its reason', async () => {
    const { logger, lines } = recordingLogger();
    const lameduck = createLameduck({ logger });
    lameduck.check('slow', () => new Promise(() => {}), { timeoutMs: 20 });
    lameduck.ready();
    await lameduck.probe('readiness');
    expect(lines.filter((line) => line.includes('check "slow"'))).toEqual([
      'warn [lameduck] check "slow" failing: timed out after 20 ms',
    ]);
  });

  it('keeps the reported status across ready(), which only clears cached results', async () => {
    const { logger, lines } = recordingLogger();
    let healthy = false;
    const lameduck = createLameduck({ logger });
    lameduck.check('db', () => {
      if (!healthy) throw new Error('down');
    });
    await lameduck.probe('startup');
    lameduck.ready();
    await lameduck.probe('readiness');
    healthy = true;
    lameduck.ready();
    expect(lines.filter((line) => line.includes('check "db"'))).toEqual([
      'warn [lameduck] check "db" failing: down',
    ]);
  });
});
