import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  anyRecipe,
  errorWithThrowingMessage,
  errorWithUnprintableMessage,
  revokedProxy,
  throwsOnSecondRead,
  trappedProxy,
} from '../test/support/hostile.js';
import { recordUnhandledRejections, settle } from '../test/support/unhandled.js';
import { respondToProbe } from './kit.js';
import { createLameduck } from './lameduck.js';
import type { ProbeRequest } from './respond.js';

const unhandled = recordUnhandledRejections();
const unprintable = {
  toString() {
    throw new Error('toString');
  },
};

describe('transitions with hostile reasons', () => {
  it('ready(), drain() and close() take a reason whose toString throws', () => {
    const lameduck = createLameduck({ logger: false });
    expect(lameduck.ready(unprintable as never)).toBe(true);
    expect(lameduck.drain(revokedProxy() as never)).toBe(true);
    expect(lameduck.close(Symbol('why') as never)).toBe(true);
    expect(lameduck.ready(unprintable as never)).toBe(false);
    expect(lameduck.history.map((change) => typeof change.reason)).toEqual(['string', 'string', 'string']);
    expect(lameduck.state).toBe('closed');
  });

  it('a state listener that throws a revoked Proxy is logged, not thrown into ready()', () => {
    const lines: string[] = [];
    const lameduck = createLameduck({
      logger: { info() {}, warn() {}, error: (message: string) => lines.push(message) },
    });
    lameduck.on('state', () => {
      throw revokedProxy();
    });
    expect(lameduck.ready()).toBe(true);
    expect(lines).toEqual([expect.stringMatching(/^\[lameduck\] a state listener threw: /)]);
  });
});

describe('probe responses with exposeDetails and hostile check values', () => {
  it('an Error whose message toString throws: 503 naming the check, not 500', async () => {
    const lameduck = createLameduck({ logger: false, exposeDetails: true });
    lameduck.check('db', async () => {
      throw errorWithUnprintableMessage();
    });
    lameduck.ready();
    for (const headers of [{}, { accept: 'application/health+json' }]) {
      const response = await respondToProbe(lameduck, { method: 'GET', path: '/readyz', headers });
      expect(response?.status).toBe(503);
      expect(response?.body).toContain('db');
    }
  });

  it('an Error whose message getter throws: 503 naming the check', async () => {
    const lameduck = createLameduck({ logger: false, exposeDetails: true });
    lameduck.check('db', async () => {
      throw errorWithThrowingMessage();
    });
    lameduck.ready();
    const response = await respondToProbe(lameduck, { method: 'GET', path: '/readyz' });
    expect(response).toMatchObject({ status: 503 });
    expect(response?.body).toContain('[-]db failed: an Error whose message cannot be read');
  });

  it('details whose getter throws on a second read: answered from the snapshot, never 500', async () => {
    const lameduck = createLameduck({ logger: false, exposeDetails: true });
    lameduck.check('db', () => throwsOnSecondRead());
    lameduck.ready();
    const response = await respondToProbe(lameduck, {
      method: 'GET',
      path: '/readyz',
      headers: { accept: 'application/health+json' },
    });
    expect(response?.status).toBe(200);
    expect(JSON.parse(response!.body).checks.db[0].details).toEqual({ value: 'first read' });
  });

  it('details whose getter throws at once: 503 naming the check', async () => {
    const lameduck = createLameduck({ logger: false, exposeDetails: true });
    lameduck.check('db', () =>
      Object.defineProperty({}, 'value', {
        enumerable: true,
        get() {
          throw new Error('getter');
        },
      }),
    );
    lameduck.ready();
    const response = await respondToProbe(lameduck, { method: 'GET', path: '/readyz' });
    expect(response?.status).toBe(503);
    expect(response?.body).toContain('[-]db failed: the check returned details that cannot be serialised');
  });

  it('any value thrown, rejected or returned: 200 or 503 in both formats, never a throw (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        anyRecipe(),
        fc.constantFrom('throw', 'reject', 'return'),
        fc.boolean(),
        fc.constantFrom('/readyz', '/readyz?verbose', '/livez?verbose', '/readyz/dep'),
        async (recipe, how, json, path) => {
          const lameduck = createLameduck({ logger: false, exposeDetails: true });
          lameduck.check(
            'dep',
            () => {
              const value = recipe.make();
              if (how === 'throw') throw value;
              if (how === 'reject') return Promise.reject(value);
              return value as never;
            },
            { kind: ['liveness', 'readiness'], cacheTtlMs: 0 },
          );
          lameduck.ready();
          const headers = json ? { accept: 'application/health+json' } : {};
          const response = await respondToProbe(lameduck, { method: 'GET', path, headers });
          expect([200, 503]).toContain(response?.status);
          if (response?.status === 503) expect(response.body).toContain('dep');
        },
      ),
      { numRuns: 300 },
    );
    await settle();
    expect(unhandled).toEqual([]);
  });
});

describe('respond() with hostile request objects', () => {
  const throwing = () => {
    throw new Error('getter');
  };

  it.each([
    ['a revoked Proxy', () => revokedProxy()],
    ['a Proxy whose traps throw', () => trappedProxy()],
    [
      'an object whose path getter throws',
      () => Object.defineProperty({ method: 'GET' }, 'path', { get: throwing }),
    ],
  ])('returns undefined for %s', (_name, make) => {
    const lameduck = createLameduck({ logger: false });
    expect(respondToProbe(lameduck, make() as ProbeRequest)).toBeUndefined();
  });

  it.each([
    ['method', { path: '/readyz' }],
    ['headers', { method: 'GET', path: '/readyz' }],
    ['query', { method: 'GET', path: '/readyz' }],
  ])('answers 400 when its %s getter throws', async (field, base) => {
    const lameduck = createLameduck({ logger: false });
    const request = Object.defineProperty({ ...base }, field, { get: throwing }) as ProbeRequest;
    expect(await respondToProbe(lameduck, request)).toMatchObject({ status: 400 });
  });

  it('answers 400 for headers that are a revoked Proxy, and for a get() that throws', async () => {
    const lameduck = createLameduck({ logger: false });
    for (const headers of [revokedProxy(), trappedProxy(), { get: throwing }]) {
      const answer = respondToProbe(lameduck, { method: 'GET', path: '/livez', headers: headers as never });
      expect(await answer).toMatchObject({ status: 400 });
    }
  });

  it('answers a method whose toString throws with a 405, not a throw', async () => {
    const lameduck = createLameduck({ logger: false });
    const response = await respondToProbe(lameduck, { method: unprintable as never, path: '/livez' });
    expect(response).toMatchObject({ status: 405 });
  });

  /** Raw path and query characters a client may send, percent signs and dots included. */
  const segment = fc.stringMatching(/^[A-Za-z0-9%._~!$&'()*+,;=:@/?-]{0,12}$/);
  const requestArbitrary = fc.record(
    {
      method: fc.oneof(
        fc.constantFrom('GET', 'HEAD', 'POST', 'OPTIONS', '', 'get'),
        fc.string(),
        anyRecipe(),
      ),
      path: fc.oneof(
        fc
          .tuple(
            fc.constantFrom('/readyz', '/livez', '/startupz', '/', '//readyz', 'http://h/readyz', ''),
            segment,
          )
          .map(([base, rest]) => base + rest),
        fc.string(),
        anyRecipe(),
      ),
      query: fc.oneof(fc.string(), anyRecipe()),
      headers: fc.oneof(
        fc.dictionary(
          fc.constantFrom('accept', 'Accept', 'host', 'x'),
          fc.oneof(fc.string(), fc.array(fc.string())),
        ),
        anyRecipe(),
      ),
    },
    { requiredKeys: ['method', 'path'] },
  );
  const make = (value: unknown) =>
    typeof value === 'object' && value !== null && 'make' in value
      ? (value as { make(): unknown }).make()
      : value;

  it('never throws, and answers undefined or a status from 200 to 599 (property)', async () => {
    const lameduck = createLameduck({ logger: false, exposeDetails: true });
    lameduck.check('db', async () => {});
    lameduck.ready();
    await fc.assert(
      fc.asyncProperty(requestArbitrary, async (fields) => {
        const request = Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, make(value)]));
        const answer = respondToProbe(lameduck, request as unknown as ProbeRequest);
        if (answer === undefined) return;
        const response = await answer;
        expect(response.status).toBeGreaterThanOrEqual(200);
        expect(response.status).toBeLessThan(600);
        expect(response.headers['Content-Length']).toMatch(/^\d+$/);
      }),
      { numRuns: 1000 },
    );
    await settle();
    expect(unhandled).toEqual([]);
  });
});
