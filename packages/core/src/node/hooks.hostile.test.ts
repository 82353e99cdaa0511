import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  anyRecipe,
  errorWithThrowingMessage,
  revokedProxy,
  trappedProxy,
} from '../../test/support/hostile.js';
import { recordUnhandledRejections, settle } from '../../test/support/unhandled.js';
import { runHook } from '../hooks.js';
import { silentLogger } from '../logger.js';
import { createNodeLameduck, type NodeLameduck } from './node-lameduck.js';

const unhandled = recordUnhandledRejections();
const created: NodeLameduck[] = [];
afterEach(() => {
  for (const lameduck of created.splice(0)) lameduck.dispose();
});

describe('a hook that throws or rejects with a hostile value', () => {
  it.each([
    ['a revoked Proxy', () => revokedProxy()],
    ['a Proxy whose getPrototypeOf trap throws', () => trappedProxy()],
    ['an Error whose message getter throws', () => errorWithThrowingMessage()],
  ])(
    'rejecting with %s: shutdown() resolves, cleanup still runs, the state reaches closed',
    async (_name, make) => {
      const lameduck = createNodeLameduck({
        logger: false,
        signals: false,
        exitOnSignal: false,
        drainDelayMs: 0,
      });
      created.push(lameduck);
      const ran: string[] = [];
      lameduck.onDrainStart('notice', () => Promise.reject(make()));
      lameduck.onCleanup('pool', () => {
        ran.push('pool closed');
      });
      lameduck.ready();
      const result = await lameduck.shutdown('test');
      expect(ran).toEqual(['pool closed']);
      expect(lameduck.state).toBe('closed');
      expect(result.forced).toBe(false);
      await settle();
      expect(unhandled).toEqual([]);
    },
  );

  it('runHook resolves with a string reason for anything thrown, rejected or returned (property)', async () => {
    type How = 'throw' | 'reject' | 'return' | 'resolve';
    await fc.assert(
      fc.asyncProperty(
        anyRecipe(),
        fc.constantFrom<How>('throw', 'reject', 'return', 'resolve'),
        async (recipe, how) => {
          const value = recipe.make();
          const fn = () => {
            if (how === 'throw') throw value;
            if (how === 'reject') return Promise.reject(value);
            if (how === 'resolve') return Promise.resolve().then(() => value);
            return value;
          };
          const outcome = await runHook(
            { name: 'hook', fn, timeoutMs: 1000 },
            'cleanup',
            silentLogger,
            Date.now,
            {
              logSuccess: false,
            },
          );
          expect(typeof outcome.ok).toBe('boolean');
          if (!outcome.ok) expect(typeof outcome.error).toBe('string');
        },
      ),
      { numRuns: 300 },
    );
    await settle();
    expect(unhandled).toEqual([]);
  });
});
