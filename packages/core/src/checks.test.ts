import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { deferred, manualClock } from '../test/support/manual.js';
import { type CheckFunction, type CheckOptions, CheckRegistry } from './checks.js';
import { LameduckConfigError } from './errors.js';

/** Wraps a check so the test can see how many calls were made and how many are still running. */
function counted(fn: CheckFunction) {
  const stats = { calls: 0, pending: 0, signals: [] as AbortSignal[] };
  const check: CheckFunction = async (signal) => {
    stats.calls += 1;
    stats.pending += 1;
    stats.signals.push(signal);
    try {
      return await fn(signal);
    } finally {
      stats.pending -= 1;
    }
  };
  return { check, stats };
}

function registryWith(name: string, fn: CheckFunction, options?: CheckOptions) {
  const registry = new CheckRegistry();
  registry.add(name, fn, options);
  return registry;
}

async function runOnly(fn: CheckFunction, options?: CheckOptions) {
  const kind = Array.isArray(options?.kind) ? options.kind[0] : (options?.kind ?? 'readiness');
  const [result] = await registryWith('c', fn, options).run(kind);
  return result!;
}

function registrationError(register: () => void): LameduckConfigError {
  try {
    register();
  } catch (error) {
    expect(error).toBeInstanceOf(LameduckConfigError);
    return error as LameduckConfigError;
  }
  throw new Error('expected registration to throw');
}

const pass: CheckFunction = async () => {};

describe('check registration', () => {
  it.each([
    ['empty', ''],
    ['parent path', '../x'],
    ['slash', 'a/b'],
    ['64 characters', 'a'.repeat(64)],
    ['space', 'a b'],
    ['leading dot', '.hidden'],
    ['leading dash', '-db'],
    ['percent', 'a%2fb'],
    ['non-ASCII', 'datenbank-ü'],
    ['question mark', 'db?verbose'],
  ])('refuses an invalid name (%s)', (_label, name) => {
    const error = registrationError(() => new CheckRegistry().add(name, pass));
    expect(error.message).toContain('invalid check name');
  });

  it.each([
    ['number', 42],
    ['undefined', undefined],
    ['null', null],
    ['object', { name: 'db' }],
  ])('refuses a non-string name (%s)', (_label, name) => {
    const error = registrationError(() => new CheckRegistry().add(name as unknown as string, pass));
    expect(error.message).toContain('invalid check name');
  });

  it('accepts names of 1 to 63 URL-safe characters', () => {
    const registry = new CheckRegistry();
    for (const name of ['a', 'db', 'db.primary_1-replica', 'A'.repeat(63), '0cache'])
      registry.add(name, pass);
    expect(registry.names('readiness')).toHaveLength(5);
  });

  it('refuses a duplicate name and keeps the first check', () => {
    const registry = registryWith('db', pass);
    const error = registrationError(() => registry.add('db', pass, { kind: 'liveness' }));
    expect(error.message).toContain('a check named "db" is already registered');
    expect(registry.has('db', 'liveness')).toBe(false);
  });

  it.each([
    ['undefined', undefined],
    ['a string', 'SELECT 1'],
    ['an object', {}],
    ['a promise', Promise.resolve()],
  ])('refuses a check that is not a function (%s)', (_label, fn) => {
    const error = registrationError(() => new CheckRegistry().add('db', fn as unknown as CheckFunction));
    expect(error.message).toMatch(/check "db" must be a function/);
  });

  it('refuses an unknown option key and lists the known ones', () => {
    const error = registrationError(() =>
      new CheckRegistry().add('db', pass, { timeout: 100 } as unknown as CheckOptions),
    );
    expect(error.message).toContain('unknown option "timeout" for check "db"');
    expect(error.message).toContain('timeoutMs');
  });

  it.each([
    ['null', null],
    ['a number', 500],
    ['a string', 'readiness'],
  ])('refuses options that are not an object (%s)', (_label, options) => {
    const error = registrationError(() =>
      new CheckRegistry().add('db', pass, options as unknown as CheckOptions),
    );
    expect(error.message).toContain('options of check "db" must be an object');
  });

  it.each([
    ['an unknown kind', 'ready'],
    ['an unknown kind in a list', ['readiness', 'health']],
    ['a number', 1],
    ['null', null],
  ])('refuses a bad kind (%s)', (_label, kind) => {
    const error = registrationError(() =>
      new CheckRegistry().add('db', pass, { kind } as unknown as CheckOptions),
    );
    expect(error.message).toMatch(/unknown kind .* for check "db"/);
  });

  it('refuses an empty list of kinds', () => {
    const error = registrationError(() => new CheckRegistry().add('db', pass, { kind: [] }));
    expect(error.message).toContain('kind of check "db" is an empty list');
  });

  it.each([
    ['negative', -1],
    ['zero', 0],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a string', '500'],
    ['above five minutes', 300_001],
  ])('refuses a bad timeoutMs (%s)', (_label, timeoutMs) => {
    const error = registrationError(() =>
      new CheckRegistry().add('db', pass, { timeoutMs } as unknown as CheckOptions),
    );
    expect(error.message).toContain('timeoutMs of check "db"');
  });

  it.each([
    ['negative', -1],
    ['above five minutes', 300_001],
    ['a year', 31_536_000_000],
  ])('refuses a bad cacheTtlMs (%s) with the range', (_label, cacheTtlMs) => {
    const error = registrationError(() => new CheckRegistry().add('db', pass, { cacheTtlMs }));
    expect(error.message).toBe(`cacheTtlMs of check "db" must be between 0 and 300000 ms, got ${cacheTtlMs}`);
  });

  it('accepts cacheTtlMs on a liveness-only check', () => {
    expect(() => new CheckRegistry().add('loop', pass, { kind: 'liveness', cacheTtlMs: 1000 })).not.toThrow();
  });

  it('accepts cacheTtlMs: 0 on a liveness-only check, and cacheTtlMs on a mixed check', () => {
    const registry = new CheckRegistry();
    expect(() => registry.add('loop', pass, { kind: 'liveness', cacheTtlMs: 0 })).not.toThrow();
    expect(() =>
      registry.add('db', pass, { kind: ['liveness', 'readiness'], cacheTtlMs: 500 }),
    ).not.toThrow();
  });

  it.each([
    ['negative', -5],
    ['NaN', Number.NaN],
    ['a string', '1s'],
  ])('refuses a bad cacheTtlMs (%s)', (_label, cacheTtlMs) => {
    const error = registrationError(() =>
      new CheckRegistry().add('db', pass, { cacheTtlMs } as unknown as CheckOptions),
    );
    expect(error.message).toContain('cacheTtlMs of check "db"');
  });

  it.each([
    ['a string', 'yes'],
    ['a number', 1],
    ['null', null],
  ])('refuses a non-boolean critical (%s)', (_label, critical) => {
    const error = registrationError(() =>
      new CheckRegistry().add('db', pass, { critical } as unknown as CheckOptions),
    );
    expect(error.message).toContain('critical of check "db" must be true or false');
  });

  it('registers nothing when the registration fails, so the name can be used again', () => {
    const registry = new CheckRegistry();
    registrationError(() => registry.add('db', pass, { timeoutMs: -1 }));
    expect(registry.names('readiness')).toEqual([]);
    expect(() => registry.add('db', pass)).not.toThrow();
  });
});

describe('check lookup', () => {
  it('lists the checks of one kind in registration order, readiness by default', () => {
    const registry = new CheckRegistry();
    registry.add('db', pass);
    registry.add('loop', pass, { kind: 'liveness' });
    registry.add('cache', pass, { kind: ['readiness', 'liveness'] });
    registry.add('migrations', pass, { kind: 'startup' });
    expect(registry.names('readiness')).toEqual(['db', 'cache']);
    expect(registry.names('liveness')).toEqual(['loop', 'cache']);
    expect(registry.names('startup')).toEqual(['migrations']);
  });

  it('knows which kinds a check belongs to', () => {
    const registry = registryWith('db', pass);
    expect(registry.has('db', 'readiness')).toBe(true);
    expect(registry.has('db', 'liveness')).toBe(false);
    expect(registry.has('nope', 'readiness')).toBe(false);
  });

  it('removes a check, after which it is neither listed nor run', async () => {
    const { check, stats } = counted(pass);
    const registry = registryWith('db', check);
    expect(registry.remove('db')).toBe(true);
    expect(registry.remove('db')).toBe(false);
    expect(registry.names('readiness')).toEqual([]);
    expect(await registry.run('readiness', ['db'])).toEqual([]);
    expect(stats.calls).toBe(0);
  });

  it('runs only the named checks of the kind asked for, in the order given', async () => {
    const registry = new CheckRegistry();
    registry.add('a', pass);
    registry.add('b', pass);
    registry.add('live', pass, { kind: 'liveness' });
    const results = await registry.run('readiness', ['b', 'live', 'missing', 'a']);
    expect(results.map((result) => result.name)).toEqual(['b', 'a']);
  });
});

describe('check results', () => {
  it('passes when the check resolves with nothing', async () => {
    const clock = manualClock();
    const registry = new CheckRegistry({ now: clock.now });
    registry.add('db', async () => {});
    const [result] = await registry.run('readiness');
    expect(result).toEqual({
      name: 'db',
      status: 'pass',
      critical: true,
      startedAt: 1_700_000_000_000,
      durationMs: 0,
      cached: false,
    });
  });

  it('passes a synchronous check that returns nothing', async () => {
    expect((await runOnly(() => {})).status).toBe('pass');
  });

  it('passes with details when the check returns a plain object', async () => {
    const result = await runOnly(async () => ({ connections: 3, primary: 'db-0' }));
    expect(result.status).toBe('pass');
    expect(result.details).toEqual({ connections: 3, primary: 'db-0' });
    expect(result.error).toBeUndefined();
  });

  it('passes with details from a null-prototype object', async () => {
    const details = Object.assign(Object.create(null) as Record<string, unknown>, { lag: 2 });
    const result = await runOnly(() => details);
    expect(result.status).toBe('pass');
    expect(result.details).toEqual({ lag: 2 });
  });

  it('hands the check an AbortSignal that stays quiet when the check finishes in time', async () => {
    const { check, stats } = counted(pass);
    await runOnly(check);
    expect(stats.signals[0]).toBeInstanceOf(AbortSignal);
    expect(stats.signals[0]!.aborted).toBe(false);
  });

  it('fails with the error message when the check throws', async () => {
    const result = await runOnly(async () => {
      throw new Error('connection refused');
    });
    expect(result).toMatchObject({ status: 'fail', error: 'connection refused' });
  });

  it('fails when a synchronous check throws', async () => {
    const result = await runOnly(() => {
      throw new TypeError('boom');
    });
    expect(result).toMatchObject({ status: 'fail', error: 'boom' });
  });

  it('falls back to the error name for an Error without a message', async () => {
    const result = await runOnly(async () => {
      throw new RangeError();
    });
    expect(result).toMatchObject({ status: 'fail', error: 'RangeError' });
  });

  it.each([
    ['a string', 'db down', 'threw the string "db down" instead of an Error'],
    ['undefined', undefined, 'threw undefined instead of an Error'],
    ['null', null, 'threw null instead of an Error'],
    ['an object', { code: 'ECONNREFUSED' }, 'threw an object instead of an Error'],
    ['a number', 42, 'threw number 42 instead of an Error'],
  ])('fails with a clear message when the check throws %s', async (_label, thrown, message) => {
    const result = await runOnly(async () => {
      throw thrown;
    });
    expect(result).toMatchObject({ status: 'fail', error: message });
  });

  it('fails with a clear message when the check rejects with a non-Error', async () => {
    const result = await runOnly(() => Promise.reject('nope'));
    expect(result).toMatchObject({ status: 'fail', error: 'threw the string "nope" instead of an Error' });
  });

  it('fails when the check returns false, and says how to fail properly', async () => {
    const result = await runOnly(async () => false as unknown as undefined);
    expect(result.status).toBe('fail');
    expect(result.error).toBe(
      'the check returned false; to fail a check, throw an Error (returning a value means it passed)',
    );
  });

  class Pool {
    size = 3;
  }

  it.each([
    ['a number', 0, 'number 0'],
    ['a string', 'ok', 'the string "ok"'],
    ['true', true, 'boolean true'],
    ['an array', [1, 2], 'an array of 2'],
    ['a class instance', new Pool(), 'a Pool'],
    ['a Map', new Map(), 'a Map'],
    ['a function', () => {}, 'a function'],
  ])('fails with a clear message when the check returns %s', async (_label, value, shown) => {
    const result = await runOnly(async () => value as unknown as undefined);
    expect(result.status).toBe('fail');
    expect(result.error).toBe(
      `the check returned ${shown}; return nothing or a plain object of details to pass, throw an Error to fail`,
    );
  });

  it('fails when the details cannot be serialised (circular)', async () => {
    const details: Record<string, unknown> = { name: 'db' };
    details.self = details;
    const result = await runOnly(async () => details);
    expect(result.status).toBe('fail');
    expect(result.error).toMatch(/cannot be serialised to JSON/);
    expect(result.details).toBeUndefined();
  });

  it('fails when the details hold a BigInt', async () => {
    const result = await runOnly(async () => ({ rows: 10n }));
    expect(result).toMatchObject({ status: 'fail' });
    expect(result.error).toMatch(/cannot be serialised to JSON/);
  });

  it('reports a failing non-critical check as warn, keeping the reason', async () => {
    const result = await runOnly(
      async () => {
        throw new Error('cache cold');
      },
      { critical: false },
    );
    expect(result).toMatchObject({ status: 'warn', critical: false, error: 'cache cold' });
  });

  it('reports a passing non-critical check as pass', async () => {
    expect(await runOnly(pass, { critical: false })).toMatchObject({ status: 'pass', critical: false });
  });

  it('measures the duration with the injected clock', async () => {
    const clock = manualClock();
    const registry = new CheckRegistry({ now: clock.now });
    registry.add('db', async () => {
      clock.advance(37);
    });
    const [result] = await registry.run('readiness');
    expect(result!.durationMs).toBe(37);
    expect(result!.startedAt).toBe(1_700_000_000_000);
  });
});

describe('single-flight', () => {
  it('500 concurrent runs call each check exactly once', async () => {
    const gate = deferred();
    const db = counted(() => gate.promise);
    const cache = counted(() => gate.promise);
    const registry = new CheckRegistry();
    registry.add('db', db.check);
    registry.add('cache', cache.check);

    const runs = Promise.all(Array.from({ length: 500 }, () => registry.run('readiness')));
    gate.resolve();
    const results = await runs;

    expect(db.stats.calls).toBe(1);
    expect(cache.stats.calls).toBe(1);
    expect(results).toHaveLength(500);
    for (const result of results) expect(result.map((check) => check.status)).toEqual(['pass', 'pass']);
  });

  it('shares one call between a liveness and a readiness run of the same check', async () => {
    const gate = deferred();
    const { check, stats } = counted(() => gate.promise);
    const registry = registryWith('db', check, { kind: ['liveness', 'readiness'] });
    const both = Promise.all([registry.run('liveness'), registry.run('readiness')]);
    gate.resolve();
    await both;
    expect(stats.calls).toBe(1);
  });

  it('starts a new call once the shared one has settled', async () => {
    const { check, stats } = counted(pass);
    const registry = registryWith('db', check, { cacheTtlMs: 0 });
    await registry.run('readiness');
    await registry.run('readiness');
    expect(stats.calls).toBe(2);
  });
});

describe('timeouts', () => {
  it('abandons a check that never settles at its timeout, aborts its signal and fails it', async () => {
    const { check, stats } = counted(() => new Promise(() => {}));
    const registry = registryWith('hung', check, { timeoutMs: 50 });

    const started = performance.now();
    const [result] = await registry.run('readiness');
    const elapsed = performance.now() - started;

    expect(result).toMatchObject({ name: 'hung', status: 'fail', error: 'timed out after 50 ms' });
    expect(elapsed).toBeGreaterThanOrEqual(40);
    expect(elapsed).toBeLessThan(1000);
    const signal = stats.signals[0]!;
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(Error);
    expect((signal.reason as Error).message).toBe('check "hung" timed out after 50 ms');
  });

  it('uses the registry default timeout when the check sets none', async () => {
    const registry = new CheckRegistry({ defaults: { timeoutMs: 20 } });
    registry.add('hung', () => new Promise(() => {}));
    const [result] = await registry.run('readiness');
    expect(result!.error).toBe('timed out after 20 ms');
  });

  it('reports a hung non-critical check as warn', async () => {
    const result = await runOnly(() => new Promise(() => {}), { timeoutMs: 20, critical: false });
    expect(result).toMatchObject({ status: 'warn', error: 'timed out after 20 ms' });
  });

  it('never has more than one pending call of a hung check, however many probes come', async () => {
    const hang = deferred();
    const { check, stats } = counted(() => hang.promise);
    const registry = registryWith('hung', check, { kind: 'liveness', timeoutMs: 30 });

    const answers: string[] = [];
    for (let round = 0; round < 15; round += 1) {
      const results = await Promise.all(Array.from({ length: 20 }, () => registry.run('liveness')));
      answers.push(...results.map(([result]) => result!.status));
      expect(stats.pending).toBe(1);
      await sleep(10);
    }

    expect(stats.calls).toBe(1);
    expect(stats.pending).toBe(1);
    expect(new Set(answers)).toEqual(new Set(['fail']));
  });

  it('says why it did not run a check while an abandoned call is still pending', async () => {
    const registry = registryWith('hung', () => new Promise(() => {}), {
      kind: 'liveness',
      timeoutMs: 20,
      cacheTtlMs: 0,
    });
    await registry.run('liveness');
    const [result] = await registry.run('liveness');
    expect(result!.status).toBe('fail');
    expect(result!.error).toMatch(/^not run: the call started \d+ ms ago was abandoned at its 20 ms timeout/);
    expect(result!.error).toContain('AbortSignal');
  });

  it('allows a new call once the abandoned one finally settles', async () => {
    const hang = deferred();
    let first = true;
    const { check, stats } = counted(() => {
      if (first) {
        first = false;
        return hang.promise;
      }
      return undefined;
    });
    const registry = registryWith('hung', check, { kind: 'liveness', timeoutMs: 20, cacheTtlMs: 0 });

    await registry.run('liveness');
    await registry.run('liveness');
    expect(stats.calls).toBe(1);

    hang.resolve();
    await sleep(0);
    expect(stats.pending).toBe(0);

    const [result] = await registry.run('liveness');
    expect(stats.calls).toBe(2);
    expect(result!.status).toBe('pass');
  });

  it('allows a new call once the abandoned one finally rejects', async () => {
    const hang = deferred();
    const { check, stats } = counted(() => (stats.calls === 1 ? hang.promise : undefined));
    const registry = registryWith('hung', check, { kind: 'liveness', timeoutMs: 20, cacheTtlMs: 0 });
    await registry.run('liveness');
    hang.reject(new Error('late'));
    await sleep(0);
    const [result] = await registry.run('liveness');
    expect(stats.calls).toBe(2);
    expect(result!.status).toBe('pass');
  });

  it('runs a check again right after a timeout when the check honours its AbortSignal', async () => {
    const { check, stats } = counted(
      (signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    );
    const registry = registryWith('polite', check, { kind: 'liveness', timeoutMs: 20, cacheTtlMs: 0 });
    await registry.run('liveness');
    await sleep(0);
    expect(stats.pending).toBe(0);
    const [result] = await registry.run('liveness');
    expect(stats.calls).toBe(2);
    expect(result!.error).toBe('timed out after 20 ms');
  });

  it('keeps the timeout as the result when the abandoned call resolves late', async () => {
    const late = deferred();
    const clock = manualClock();
    const registry = new CheckRegistry({ now: clock.now });
    registry.add('slow', () => late.promise, { timeoutMs: 20, cacheTtlMs: 1000 });
    await registry.run('readiness');
    late.resolve();
    await sleep(0);
    const [result] = await registry.run('readiness');
    expect(result).toMatchObject({ status: 'fail', error: 'timed out after 20 ms', cached: true });
  });
});

describe('result cache', () => {
  function cachedRegistry(options: CheckOptions = {}) {
    const clock = manualClock();
    const { check, stats } = counted(pass);
    const registry = new CheckRegistry({ now: clock.now, defaults: { cacheTtlMs: 1000 } });
    registry.add('db', check, options);
    return { registry, clock, stats };
  }

  it('reuses a readiness result within the TTL and marks it cached', async () => {
    const { registry, clock, stats } = cachedRegistry();
    const [first] = await registry.run('readiness');
    clock.advance(999);
    const [second] = await registry.run('readiness');
    expect(stats.calls).toBe(1);
    expect(first!.cached).toBe(false);
    expect(second!.cached).toBe(true);
    expect(second!.startedAt).toBe(first!.startedAt);
  });

  it('runs the check again once the TTL has passed', async () => {
    const { registry, clock, stats } = cachedRegistry();
    await registry.run('readiness');
    clock.advance(1000);
    const [result] = await registry.run('readiness');
    expect(stats.calls).toBe(2);
    expect(result!.cached).toBe(false);
  });

  it('honours a per-check TTL', async () => {
    const { registry, clock, stats } = cachedRegistry({ cacheTtlMs: 100 });
    await registry.run('readiness');
    clock.advance(100);
    await registry.run('readiness');
    expect(stats.calls).toBe(2);
  });

  it('caches startup results too', async () => {
    const { registry, stats } = cachedRegistry({ kind: 'startup' });
    await registry.run('startup');
    const [result] = await registry.run('startup');
    expect(stats.calls).toBe(1);
    expect(result!.cached).toBe(true);
  });

  it('caches a failure like a success', async () => {
    const clock = manualClock();
    const { check, stats } = counted(async () => {
      throw new Error('down');
    });
    const registry = new CheckRegistry({ now: clock.now });
    registry.add('db', check);
    await registry.run('readiness');
    const [result] = await registry.run('readiness');
    expect(stats.calls).toBe(1);
    expect(result).toMatchObject({ status: 'fail', error: 'down', cached: true });
  });

  it('never caches when the TTL is 0', async () => {
    const { registry, stats } = cachedRegistry({ cacheTtlMs: 0 });
    await registry.run('readiness');
    await registry.run('readiness');
    expect(stats.calls).toBe(2);
  });

  it('gives liveness the result of a readiness run of the same check within the TTL', async () => {
    const { registry, clock, stats } = cachedRegistry({ kind: ['liveness', 'readiness'] });
    await registry.run('readiness');
    const [live] = await registry.run('liveness');
    expect(stats.calls).toBe(1);
    expect(live!.cached).toBe(true);
    clock.advance(1000);
    const [again] = await registry.run('liveness');
    expect(stats.calls).toBe(2);
    expect(again!.cached).toBe(false);
  });

  it('lets readiness reuse the result of a liveness run of the same check', async () => {
    const { registry, stats } = cachedRegistry({ kind: ['liveness', 'readiness'] });
    await registry.run('liveness');
    const [ready] = await registry.run('readiness');
    expect(stats.calls).toBe(1);
    expect(ready!.cached).toBe(true);
  });

  it("caches a liveness-only check for the TTL, as readiness: the caller's rate does not set the check's", async () => {
    const { registry, clock, stats } = cachedRegistry({ kind: 'liveness' });
    await registry.run('liveness');
    clock.advance(999);
    const [cached] = await registry.run('liveness');
    expect(stats.calls).toBe(1);
    expect(cached!.cached).toBe(true);
    clock.advance(1);
    await registry.run('liveness');
    expect(stats.calls).toBe(2);
  });

  it('lets a liveness check opt out with cacheTtlMs: 0', async () => {
    const { registry, stats } = cachedRegistry({ kind: 'liveness', cacheTtlMs: 0 });
    await registry.run('liveness');
    await registry.run('liveness');
    expect(stats.calls).toBe(2);
  });
});

describe('reserved and cache-clearing behaviour', () => {
  it('refuses the name "lifecycle", which verbose output uses for the state line', () => {
    const registry = new CheckRegistry();
    expect(() => registry.add('lifecycle', async () => {})).toThrow(/"lifecycle" is reserved/);
  });

  it('clearCache() makes the next run call the check again', async () => {
    const registry = new CheckRegistry({ defaults: { cacheTtlMs: 60_000 } });
    let calls = 0;
    registry.add('db', async () => {
      calls += 1;
    });
    await registry.run('readiness');
    await registry.run('readiness');
    expect(calls).toBe(1);
    registry.clearCache();
    await registry.run('readiness');
    expect(calls).toBe(2);
  });
});
