import type { ServerResponse } from 'node:http';
import express5 from 'express';
import express4 from 'express4';
import { describe, expect, it } from 'vitest';
import { aheadOfExpress } from '../src/first-in-stack.js';

/** A response that only records the headers set on it. */
function response(): ServerResponse & { set: Record<string, unknown> } {
  const set: Record<string, unknown> = {};
  return {
    set,
    setHeader: (name: string, value: unknown) => (set[name] = value),
  } as unknown as ServerResponse & {
    set: Record<string, unknown>;
  };
}

const middleware = (_request: unknown, _response: unknown, next: () => void) => next();

describe('aheadOfExpress', () => {
  for (const [version, express] of [
    ['Express 5', express5],
    ['Express 4', express4],
  ] as const) {
    it(`${version}: yes while the middleware is the first root layer, asked anew each time`, () => {
      const app = express();
      app.use(middleware);
      const ahead = aheadOfExpress(app, middleware);
      expect(ahead?.(response())).toBe(true);
      app.use(() => {});
      expect(ahead?.(response())).toBe(true);
      // Moved behind something of the user's after the test was made.
      const stack = (
        typeof (app as unknown as { lazyrouter?: unknown }).lazyrouter === 'function'
          ? (app as unknown as { _router: { stack: unknown[] } })._router.stack
          : (app as unknown as { router: { stack: unknown[] } }).router.stack
      ) as unknown[];
      stack.push(...stack.splice(stack.length - 2, 1));
      expect(ahead?.(response())).toBe(false);
    });

    it(`${version}: no for a route, a mount path or another function first`, () => {
      const routed = express();
      routed.get('/livez', middleware);
      expect(aheadOfExpress(routed, middleware)?.(response())).toBe(false);
      const mounted = express();
      mounted.use('/internal', middleware);
      expect(aheadOfExpress(mounted, middleware)?.(response())).toBe(false);
      const empty = express();
      expect(aheadOfExpress(empty, middleware)?.(response())).toBe(false);
    });

    it(`${version}: sets X-Powered-By as the app would, and only then`, () => {
      const app = express();
      app.use(middleware);
      const on = response();
      expect(aheadOfExpress(app, middleware)?.(on)).toBe(true);
      expect(on.set).toEqual({ 'X-Powered-By': 'Express' });
      app.disable('x-powered-by');
      const off = response();
      expect(aheadOfExpress(app, middleware)?.(off)).toBe(true);
      expect(off.set).toEqual({});
    });
  }

  it('has no test for what is not an Express app, and says no to a stack it does not recognise', () => {
    expect(aheadOfExpress({ listen() {} }, middleware)).toBeUndefined();
    expect(aheadOfExpress(null, middleware)).toBeUndefined();
    // Express 4's shape, without its query and init layers first.
    const odd = Object.assign(() => {}, {
      lazyrouter() {},
      enabled: () => false,
      _router: { stack: [{ handle: middleware, regexp: { fast_slash: true } }] },
    });
    expect(aheadOfExpress(odd, middleware)?.(response())).toBe(false);
    const noStack = Object.assign(() => {}, { enabled: () => false, router: {} });
    expect(aheadOfExpress(noStack, middleware)?.(response())).toBe(false);
  });
});
