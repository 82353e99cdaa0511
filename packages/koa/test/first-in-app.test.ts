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

  it('has no test for what is not a Koa app', () => {
    expect(aheadOfKoa({ listen() {} }, middleware)).toBeUndefined();
    expect(aheadOfKoa(null, middleware)).toBeUndefined();
  });
});
