import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anyRecipe,
  errorWithThrowingMessage,
  hostileRecipe,
  revokedProxy,
  throwsOnSecondRead,
  trappedProxy,
} from '../test/support/hostile.js';
import { recordUnhandledRejections, settle } from '../test/support/unhandled.js';
import { type CheckFunction, CheckRegistry } from './checks.js';

const unhandled = recordUnhandledRejections();

/** A check whose behaviour the test switches: it fails with `make()` until `recover()`. */
function switchable(make: () => CheckFunction) {
  let healthy = false;
  const fn: CheckFunction = (signal) => (healthy ? undefined : make()(signal));
  return {
    fn,
    recover: () => {
      healthy = true;
    },
  };
}

describe('a check that throws or returns a hostile value', () => {
  it.each([
    ['throws a revoked Proxy', () => revokedProxy()],
    ['throws a Proxy whose getPrototypeOf trap throws', () => trappedProxy()],
    ['throws an Error whose message getter throws', () => errorWithThrowingMessage()],
  ])('fails with a reason when it %s, without an unhandled rejection', async (_name, make) => {
    const registry = new CheckRegistry();
    registry.add('db', async () => {
      throw make();
    });
    const [result] = await registry.run('readiness');
    expect(result).toMatchObject({ name: 'db', status: 'fail' });
    expect(typeof result!.error).toBe('string');
    expect(result!.error).not.toMatch(/timed out/);
    await settle();
    expect(unhandled).toEqual([]);
  });

  it.each([
    ['returns a revoked Proxy', () => revokedProxy()],
    ['returns a Proxy whose traps throw', () => trappedProxy()],
  ])('fails with a reason when it %s', async (_name, make) => {
    const registry = new CheckRegistry();
    registry.add('db', () => make() as never);
    const [result] = await registry.run('readiness');
    expect(result).toMatchObject({ status: 'fail' });
    expect(typeof result!.error).toBe('string');
    expect(result!.error).not.toMatch(/timed out/);
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('snapshots details once: a getter that throws on a second read cannot break a later response', async () => {
    const registry = new CheckRegistry();
    registry.add('db', () => throwsOnSecondRead());
    const [result] = await registry.run('readiness');
    expect(result).toMatchObject({ status: 'pass', details: { value: 'first read' } });
    expect(() => JSON.stringify(result!.details)).not.toThrow();
  });

  it('recovers after an abandoned call finally rejects with a revoked Proxy', async () => {
    let calls = 0;
    let rejectFirst!: (reason: unknown) => void;
    const registry = new CheckRegistry();
    registry.add(
      'db',
      () => {
        calls += 1;
        if (calls === 1) return new Promise((_resolve, reject) => (rejectFirst = reject));
        return undefined;
      },
      { timeoutMs: 20, cacheTtlMs: 0 },
    );
    const [timedOut] = await registry.run('readiness');
    expect(timedOut!.error).toBe('timed out after 20 ms');
    rejectFirst(revokedProxy());
    await settle();
    const [recovered] = await registry.run('readiness');
    expect(calls).toBe(2);
    expect(recovered!.status).toBe('pass');
    expect(unhandled).toEqual([]);
  });
});

describe('checks over arbitrary values (property)', () => {
  type How = 'throw' | 'reject' | 'return' | 'resolve';
  const how = fc.constantFrom<How>('throw', 'reject', 'return', 'resolve');
  const act = (mode: How, value: unknown): CheckFunction => {
    switch (mode) {
      case 'throw':
        return () => {
          throw value;
        };
      case 'reject':
        return () => Promise.reject(value);
      case 'return':
        return () => value as never;
      default:
        return async () => value as never;
    }
  };

  it('every result is pass or fail with a string reason, and the check recovers when the dependency does', async () => {
    await fc.assert(
      fc.asyncProperty(anyRecipe(), how, async (recipe, mode) => {
        const { fn, recover } = switchable(() => act(mode, recipe.make()));
        const registry = new CheckRegistry();
        registry.add('dep', fn, { cacheTtlMs: 0, timeoutMs: 1000 });
        const [result] = await registry.run('readiness');
        expect(['pass', 'fail']).toContain(result!.status);
        if (result!.status === 'fail') expect(typeof result!.error).toBe('string');
        if (result!.details !== undefined) expect(() => JSON.stringify(result!.details)).not.toThrow();
        recover();
        const [after] = await registry.run('readiness');
        expect(after!.status).toBe('pass');
      }),
      { numRuns: 300 },
    );
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('a hostile value given after the timeout never leaves the check abandoned', async () => {
    await fc.assert(
      fc.asyncProperty(hostileRecipe(), fc.boolean(), async (recipe, rejects) => {
        let calls = 0;
        let settleFirst!: (value: never) => void;
        const registry = new CheckRegistry();
        registry.add(
          'dep',
          () => {
            calls += 1;
            if (calls > 1) return undefined;
            return new Promise((resolve, reject) => {
              settleFirst = rejects ? reject : resolve;
            });
          },
          { timeoutMs: 5, cacheTtlMs: 0 },
        );
        await registry.run('readiness');
        settleFirst(recipe.make() as never);
        await settle();
        const [after] = await registry.run('readiness');
        expect(after!.status).toBe('pass');
      }),
      { numRuns: 60 },
    );
    await settle();
    expect(unhandled).toEqual([]);
  });
});
