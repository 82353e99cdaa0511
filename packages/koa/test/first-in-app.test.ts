import type { ServerResponse } from 'node:http';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { describe, expect, it } from 'vitest';
import { aheadOfKoa } from '../src/first-in-app.js';

const response = {} as ServerResponse;
const middleware = (_context: unknown, next: () => Promise<unknown>) => next();

describe('aheadOfKoa', () => {
  for (const [version, Koa] of [
    ['Koa 3', Koa3],
    ['Koa 2', Koa2],
  ] as const) {
    it(`${version}: yes while the middleware is app.middleware[0], asked anew each time`, () => {
      const app = new Koa();
      app.use(middleware);
      const ahead = aheadOfKoa(app, middleware);
      expect(ahead?.(response)).toBe(true);
      app.use(() => undefined);
      expect(ahead?.(response)).toBe(true);
      app.middleware.unshift(() => undefined);
      expect(ahead?.(response)).toBe(false);
    });

    it(`${version}: no once the list is swapped for another one, or with another function first`, () => {
      const app = new Koa();
      app.use(middleware);
      const ahead = aheadOfKoa(app, middleware);
      app.middleware = [middleware];
      expect(ahead?.(response)).toBe(false);
      const other = new Koa();
      other.use(() => undefined);
      other.use(middleware);
      expect(aheadOfKoa(other, middleware)?.(response)).toBe(false);
    });
  }

  it("says no to an app whose request handling is not Koa's own: a custom compose, an overridden handleRequest", () => {
    type Composed = (context: unknown, next?: () => Promise<unknown>) => Promise<unknown>;
    // A compose of the app's own, as Koa 3's option allows: it may run anything first.
    const compose =
      (list: Composed[]): Composed =>
      (context, next) =>
        list[0]?.(context, next) ?? Promise.resolve();
    const composed = new Koa3({ compose } as unknown as ConstructorParameters<typeof Koa3>[0]);
    composed.use(middleware);
    expect(aheadOfKoa(composed, middleware)).toBeUndefined();
    class Guarded extends Koa3 {}
    const handleRequest = (Koa3.prototype as unknown as { handleRequest: (...args: unknown[]) => unknown })
      .handleRequest;
    Object.assign(Guarded.prototype, {
      handleRequest(this: Koa3, ...args: unknown[]) {
        return handleRequest.apply(this, args);
      },
    });
    const guarded = new Guarded();
    guarded.use(middleware);
    expect(aheadOfKoa(guarded, middleware)).toBeUndefined();
    class Plain extends Koa2 {}
    const plain = new Plain();
    plain.use(middleware);
    expect(aheadOfKoa(plain, middleware)?.(response)).toBe(true);
  });

  it('has no test for what is not a Koa app', () => {
    expect(aheadOfKoa({ listen() {} }, middleware)).toBeUndefined();
    expect(aheadOfKoa(null, middleware)).toBeUndefined();
  });
});
