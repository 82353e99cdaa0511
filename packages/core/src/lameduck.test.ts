import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { recordingLogger } from '../test/support/logger.js';
import type { CheckFunction } from './checks.js';
import { LameduckConfigError } from './errors.js';
import { isProbePath, respondToProbe } from './kit.js';
import { createLameduck, type LameduckOptions } from './lameduck.js';
import type { Logger } from './logger.js';
import type { IgnoredTransition, StateChange } from './states.js';

function configError(create: () => unknown): LameduckConfigError {
  try {
    create();
  } catch (error) {
    expect(error).toBeInstanceOf(LameduckConfigError);
    return error as LameduckConfigError;
  }
  throw new Error('expected a LameduckConfigError');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createLameduck', () => {
  it('starts in starting with the default probe paths', () => {
    const lameduck = createLameduck({ logger: false });
    expect(lameduck.state).toBe('starting');
    expect(lameduck.history).toEqual([]);
    expect(lameduck.paths).toEqual({ liveness: '/livez', readiness: '/readyz', startup: '/startupz' });
  });

  it('works with no options at all', () => {
    vi.spyOn(console, 'info').mockImplementation(() => {});
    expect(createLameduck().state).toBe('starting');
  });

  it('resolves paths from a prefix', () => {
    expect(createLameduck({ logger: false, prefix: '/health' }).paths.readiness).toBe('/health/readyz');
  });

  it('stamps transitions with the injected clock', () => {
    let time = 1000;
    const lameduck = createLameduck({ logger: false, now: () => time });
    time = 1500;
    lameduck.ready('boot done');
    expect(lameduck.history).toEqual([{ from: 'starting', to: 'ready', reason: 'boot done', at: 1500 }]);
  });

  it('returns itself from check(), so registrations chain', async () => {
    const lameduck = createLameduck({ logger: false });
    expect(lameduck.check('db', async () => {}).check('cache', async () => {})).toBe(lameduck);
    lameduck.ready();
    const report = await lameduck.probe('readiness');
    expect(report.checks.map((check) => check.name)).toEqual(['db', 'cache']);
  });

  it('removes a check', async () => {
    const lameduck = createLameduck({ logger: false }).check('db', async () => {
      throw new Error('down');
    });
    lameduck.ready();
    expect(lameduck.removeCheck('db')).toBe(true);
    expect(lameduck.removeCheck('db')).toBe(false);
    expect((await lameduck.probe('readiness')).status).toBe('pass');
  });
});

describe('createLameduck refuses bad configuration', () => {
  it.each([
    ['null', null],
    ['a string', 'console'],
    ['a number', 1],
  ])('options that are %s', (_label, options) => {
    const error = configError(() => createLameduck(options as unknown as LameduckOptions));
    expect(error.message).toContain('createLameduck options must be an object');
  });

  it.each(['timeout', 'prefx', 'drainTimeoutMs'])('an unknown option key (%s), naming it', (key) => {
    const error = configError(() => createLameduck({ [key]: 1 } as LameduckOptions));
    expect(error.message).toContain(`unknown option "${key}" for createLameduck`);
    expect(error.message).toContain('known options: logger, exposeDetails');
  });

  it('a path that does not start with a slash, naming the path option', () => {
    const error = configError(() => createLameduck({ paths: { readiness: 'ready' } }));
    expect(error.message).toMatch(/^paths\.readiness must be a path like "\/readyz"/);
  });

  it('an unknown probe in paths', () => {
    const error = configError(() =>
      createLameduck({ paths: { ready: '/ready' } as unknown as LameduckOptions['paths'] }),
    );
    expect(error.message).toContain('unknown probe "ready" in paths');
  });

  it('duplicate paths', () => {
    const error = configError(() => createLameduck({ paths: { readiness: '/health', liveness: '/health' } }));
    expect(error.message).toContain('probe paths must be distinct and not nested');
  });

  it('nested paths', () => {
    const error = configError(() => createLameduck({ paths: { liveness: '/readyz/live' } }));
    expect(error.message).toContain('probe paths must be distinct and not nested');
  });

  it('a prefix with a trailing slash, naming the prefix', () => {
    const error = configError(() => createLameduck({ prefix: '/health/' }));
    expect(error.message).toContain('probe prefix must be a path like "/health"');
    expect(error.message).toContain('the string "/health/"');
  });

  it.each([
    ['missing warn and error', { info() {} }, 'warn'],
    ['with a non-function error', { info() {}, warn() {}, error: 'nope' }, 'error'],
    ['null', null, 'info'],
    ['true', true, 'info'],
    ['a bare function', () => {}, 'info'],
  ])('a logger %s, naming the missing method', (_label, logger, method) => {
    const error = configError(() => createLameduck({ logger: logger as unknown as Logger }));
    expect(error.message).toContain('logger must have info, warn and error methods');
    expect(error.message).toContain(`${method} is`);
  });

  it.each([
    ['a string', 'yes'],
    ['a number', 1],
    ['null', null],
  ])('exposeDetails given as %s', (_label, exposeDetails) => {
    const error = configError(() => createLameduck({ exposeDetails: exposeDetails as unknown as boolean }));
    expect(error.message).toContain('exposeDetails must be true or false');
  });

  it.each([
    ['negative', -1],
    ['zero', 0],
    ['NaN', Number.NaN],
    ['a string', '500'],
  ])('checkTimeoutMs that is %s, naming it', (_label, checkTimeoutMs) => {
    const error = configError(() => createLameduck({ checkTimeoutMs: checkTimeoutMs as unknown as number }));
    expect(error.message).toMatch(/^checkTimeoutMs must be/);
  });

  it('a negative cacheTtlMs, naming it', () => {
    const error = configError(() => createLameduck({ cacheTtlMs: -1 }));
    expect(error.message).toMatch(/^cacheTtlMs must be between 0 and/);
  });

  it('a clock that is not a function', () => {
    const error = configError(() => createLameduck({ now: 5 as unknown as () => number }));
    expect(error.message).toContain('now must be a function');
  });

  it('a bad check registration, at registration', () => {
    const lameduck = createLameduck({ logger: false });
    expect(() => lameduck.check('../x', async () => {})).toThrow(LameduckConfigError);
    expect(() => lameduck.check('db', async () => {}, { timeout: 5 } as never)).toThrow(LameduckConfigError);
  });

  it('an unknown event name', () => {
    const lameduck = createLameduck({ logger: false });
    const error = configError(() => lameduck.on('change' as 'state', () => {}));
    expect(error.message).toContain("unknown event the string \"change\"; use 'state', 'ignored' or 'check'");
  });
});

describe('logging', () => {
  it('prefixes transitions with [lameduck] on the given logger', () => {
    const { logger, lines } = recordingLogger();
    const lameduck = createLameduck({ logger });
    lameduck.ready();
    lameduck.drain('SIGTERM');
    lameduck.close('drained');
    expect(lines).toEqual([
      'info [lameduck] state starting -> ready (ready() called)',
      'info [lameduck] state ready -> draining (SIGTERM)',
      'info [lameduck] state draining -> closed (drained)',
    ]);
  });

  it('logs to the console by default', () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => {});
    createLameduck().ready();
    expect(info).toHaveBeenCalledWith('[lameduck] state starting -> ready (ready() called)');
  });

  it('is silent with logger: false', () => {
    const spies = (['info', 'warn', 'error', 'log'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation(() => {}),
    );
    const lameduck = createLameduck({ logger: false });
    lameduck.on('state', () => {
      throw new Error('listener bug');
    });
    lameduck.ready();
    lameduck.drain();
    lameduck.ready();
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });

  it('keeps `this` for loggers that need it (pino style)', () => {
    class PinoLike {
      readonly lines: string[] = [];
      info(message: string) {
        this.lines.push(message);
      }
      warn(message: string) {
        this.lines.push(message);
      }
      error(message: string) {
        this.lines.push(message);
      }
    }
    const logger = new PinoLike();
    createLameduck({ logger }).ready();
    expect(logger.lines).toEqual(['[lameduck] state starting -> ready (ready() called)']);
  });

  it('exposes the prefixed logger', () => {
    const { logger, lines } = recordingLogger();
    createLameduck({ logger }).logger.warn('hello');
    expect(lines).toEqual(['warn [lameduck] hello']);
  });
});

describe('lifecycle', () => {
  it('moves starting -> ready -> draining -> closed with default reasons', () => {
    const lameduck = createLameduck({ logger: false });
    expect(lameduck.ready()).toBe(true);
    expect(lameduck.drain()).toBe(true);
    expect(lameduck.close()).toBe(true);
    expect(lameduck.state).toBe('closed');
    expect(lameduck.history.map((change) => change.reason)).toEqual([
      'ready() called',
      'drain() called',
      'close() called',
    ]);
  });

  it('ready() after drain() returns false, logs a warning and emits ignored', () => {
    const { logger, lines } = recordingLogger();
    const lameduck = createLameduck({ logger });
    const ignored: IgnoredTransition[] = [];
    lameduck.on('ignored', (event) => ignored.push(event));
    lameduck.drain('SIGTERM');
    expect(lameduck.ready()).toBe(false);
    expect(lameduck.state).toBe('draining');
    expect(lines.at(-1)).toMatch(
      /^warn \[lameduck\] ignored ready\(\) \(ready\(\) called\): the lifecycle is draining/,
    );
    expect(ignored).toHaveLength(1);
    expect(ignored[0]).toMatchObject({ requested: 'ready', state: 'draining' });
  });

  it('drain() twice is a no-op', () => {
    const lameduck = createLameduck({ logger: false });
    lameduck.ready();
    expect(lameduck.drain()).toBe(true);
    expect(lameduck.drain()).toBe(false);
    expect(lameduck.history).toHaveLength(2);
  });

  it('close() only works while draining', () => {
    const lameduck = createLameduck({ logger: false });
    expect(lameduck.close()).toBe(false);
    lameduck.ready();
    expect(lameduck.close()).toBe(false);
    lameduck.drain();
    expect(lameduck.close()).toBe(true);
  });

  it('tells state listeners and stops after unsubscribing', () => {
    const lameduck = createLameduck({ logger: false });
    const seen: StateChange[] = [];
    const off = lameduck.on('state', (change) => seen.push(change));
    lameduck.ready();
    off();
    lameduck.drain();
    expect(seen.map((change) => change.to)).toEqual(['ready']);
  });

  it('keeps working when a state listener throws', () => {
    const { logger, lines } = recordingLogger();
    const lameduck = createLameduck({ logger });
    lameduck.on('state', () => {
      throw new Error('listener bug');
    });
    expect(lameduck.ready()).toBe(true);
    expect(lameduck.state).toBe('ready');
    expect(lines).toContain('error [lameduck] a state listener threw: listener bug');
  });
});

describe('probes through the facade', () => {
  function countedCheck(fn: CheckFunction = async () => {}) {
    const stats = { calls: 0, pending: 0 };
    const check: CheckFunction = async (signal) => {
      stats.calls += 1;
      stats.pending += 1;
      try {
        return await fn(signal);
      } finally {
        stats.pending -= 1;
      }
    };
    return { check, stats };
  }

  it('500 concurrent probes run each check exactly once', async () => {
    const lameduck = createLameduck({ logger: false });
    const db = countedCheck(() => sleep(10));
    const cache = countedCheck(() => sleep(10));
    lameduck.check('db', db.check).check('cache', cache.check);
    lameduck.ready();
    const reports = await Promise.all(Array.from({ length: 500 }, () => lameduck.probe('readiness')));
    expect(db.stats.calls).toBe(1);
    expect(cache.stats.calls).toBe(1);
    expect(new Set(reports.map((report) => report.status))).toEqual(new Set(['pass']));
  });

  it('500 concurrent probe requests run each check exactly once', async () => {
    const lameduck = createLameduck({ logger: false });
    const db = countedCheck(() => sleep(10));
    lameduck.check('db', db.check);
    lameduck.ready();
    const responses = await Promise.all(
      Array.from({ length: 500 }, () => respondToProbe(lameduck, { method: 'GET', path: '/readyz' })!),
    );
    expect(db.stats.calls).toBe(1);
    expect(new Set(responses.map((response) => response.status))).toEqual(new Set([200]));
  });

  it('answers a hung check within roughly its timeout, keeps one pending call however often it is probed, and calls again once it settles', async () => {
    let release!: () => void;
    const lameduck = createLameduck({ logger: false, checkTimeoutMs: 50 });
    const hung = countedCheck(() =>
      hung.stats.calls === 1 ? new Promise<void>((resolve) => (release = resolve)) : undefined,
    );
    lameduck.check('hung', hung.check, { cacheTtlMs: 0 });
    lameduck.ready();

    const started = performance.now();
    const first = await lameduck.probe('readiness');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(first.status).toBe('fail');
    expect(first.checks[0]?.error).toBe('timed out after 50 ms');

    for (let round = 0; round < 10; round += 1) {
      const reports = await Promise.all(Array.from({ length: 50 }, () => lameduck.probe('readiness')));
      expect(new Set(reports.map((report) => report.status))).toEqual(new Set(['fail']));
      await sleep(20);
    }
    expect(hung.stats.calls).toBe(1);
    expect(hung.stats.pending).toBe(1);

    release();
    await sleep(0);
    expect(hung.stats.pending).toBe(0);
    const after = await lameduck.probe('readiness');
    expect(hung.stats.calls).toBe(2);
    expect(after.status).toBe('pass');
  });

  it('uses checkTimeoutMs for checks that set no timeout', async () => {
    const lameduck = createLameduck({ logger: false, checkTimeoutMs: 20 });
    lameduck.check('hung', () => new Promise(() => {}));
    lameduck.ready();
    expect((await lameduck.probe('readiness', { only: 'hung' })).checks[0]?.error).toBe(
      'timed out after 20 ms',
    );
  });

  it('uses cacheTtlMs for checks that set no TTL', async () => {
    const lameduck = createLameduck({ logger: false, cacheTtlMs: 0 });
    const db = countedCheck();
    lameduck.check('db', db.check);
    lameduck.ready();
    await lameduck.probe('readiness');
    await lameduck.probe('readiness');
    expect(db.stats.calls).toBe(2);
  });

  it('caches readiness for a second by default', async () => {
    const lameduck = createLameduck({ logger: false });
    const db = countedCheck();
    lameduck.check('db', db.check);
    lameduck.ready();
    await lameduck.probe('readiness');
    const second = await lameduck.probe('readiness');
    expect(db.stats.calls).toBe(1);
    expect(second.checks[0]?.cached).toBe(true);
  });

  it('fails readiness at once after drain() while liveness keeps passing', async () => {
    const lameduck = createLameduck({ logger: false });
    const db = countedCheck();
    lameduck.check('db', db.check);
    lameduck.ready();
    lameduck.drain();
    expect((await lameduck.probe('readiness')).status).toBe('fail');
    expect((await lameduck.probe('liveness')).status).toBe('pass');
    expect(db.stats.calls).toBe(0);
  });

  it('hides error details in responses by default and shows them with exposeDetails', async () => {
    const failing = async () => {
      throw new Error('db password wrong');
    };
    const hidden = createLameduck({ logger: false }).check('db', failing);
    const shown = createLameduck({ logger: false, exposeDetails: true }).check('db', failing);
    hidden.ready();
    shown.ready();
    const request = { method: 'GET', path: '/readyz' };
    // By default (probeDetail 'names') the line says failed and nothing more.
    expect((await respondToProbe(hidden, request))!.body).toContain('[-]db failed\n');
    expect((await respondToProbe(hidden, request))!.body).not.toContain('password');
    expect((await respondToProbe(shown, request))!.body).toContain('[-]db failed: db password wrong');
  });
});

describe('hardening', () => {
  it('drops results cached while starting once ready() is called', async () => {
    let up = false;
    const lameduck = createLameduck({ logger: false, cacheTtlMs: 60_000 });
    lameduck.check('db', async () => {
      if (!up) throw new Error('not yet');
    });
    expect((await lameduck.probe('readiness')).status).toBe('fail');
    up = true;
    lameduck.ready();
    expect((await lameduck.probe('readiness')).status).toBe('pass');
  });

  it('survives a logger that throws', () => {
    const throwing = {
      info() {
        throw new Error('log sink down');
      },
      warn() {
        throw new Error('log sink down');
      },
      error() {
        throw new Error('log sink down');
      },
    };
    const lameduck = createLameduck({ logger: throwing });
    const seen: string[] = [];
    lameduck.on('state', (change) => seen.push(change.to));
    expect(lameduck.ready()).toBe(true);
    expect(lameduck.ready()).toBe(false);
    expect(seen).toEqual(['ready']);
  });

  it('returns undefined for a request that is not an object', () => {
    const lameduck = createLameduck({ logger: false });
    expect(respondToProbe(lameduck, undefined as never)).toBeUndefined();
    expect(respondToProbe(lameduck, null as never)).toBeUndefined();
  });

  it('reads Accept from a hand-built header object with any capitalisation', async () => {
    const lameduck = createLameduck({ logger: false });
    const response = await respondToProbe(lameduck, {
      method: 'GET',
      path: '/livez',
      headers: { Accept: 'application/health+json' },
    });
    expect(response?.headers['Content-Type']).toBe('application/health+json');
  });

  it('serves a per-check readiness path with 503 once draining starts', async () => {
    const lameduck = createLameduck({ logger: false });
    lameduck.check('db', async () => {});
    lameduck.ready();
    expect((await respondToProbe(lameduck, { method: 'GET', path: '/readyz/db' }))?.status).toBe(200);
    lameduck.drain();
    expect((await respondToProbe(lameduck, { method: 'GET', path: '/readyz/db' }))?.status).toBe(503);
  });
});

describe('isProbePath', () => {
  it('recognises probe paths, per-check paths and queries, and nothing else', () => {
    const lameduck = createLameduck({ logger: false });
    for (const target of ['/readyz', '/readyz/', '/readyz/db', '/livez?verbose', '/startupz']) {
      expect(isProbePath(lameduck, target)).toBe(true);
    }
    for (const target of ['/', '/readyzz', '/api/readyz', '/live', '', 42 as never]) {
      expect(isProbePath(lameduck, target)).toBe(false);
    }
  });

  it('follows custom paths and prefixes', () => {
    const lameduck = createLameduck({ logger: false, prefix: '/health' });
    expect(isProbePath(lameduck, '/health/readyz')).toBe(true);
    expect(isProbePath(lameduck, '/readyz')).toBe(false);
  });
});
