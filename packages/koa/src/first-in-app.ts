import type { AheadOfApp } from '@lameduck/core/node';

/** What this reads of a Koa 2 or 3 app. */
interface KoaApp {
  middleware?: unknown;
  callback?: unknown;
  handleRequest?: unknown;
  /** Koa 3 only: the `compose` option, koa-compose unless the app passed its own. */
  compose?: unknown;
}

/**
 * Whether a probe may be answered in front of the Koa app `app`: only while `middleware` is the
 * first of its middleware (checked at every answer: `app.middleware` can change after listen()).
 * The list is the one `app.listen()` composes, so a list swapped for another one afterwards sends
 * every probe through the app; so does an app that is not Koa's own request handling and
 * composition (no `middleware` list, `callback` or `handleRequest` overridden, Koa 3's `compose`
 * option), where something else may run before the first middleware.
 */
export function aheadOfKoa(app: unknown, middleware: unknown): AheadOfApp | undefined {
  const koa = app as KoaApp | null;
  const list = koa?.middleware;
  if (koa === null || !Array.isArray(list) || !koasOwnHandling(koa)) return undefined;
  return () => koa.middleware === list && list[0] === middleware;
}

function koasOwnHandling(app: KoaApp): boolean {
  // Koa's Application prototype: the first up the chain with its own `callback`.
  let proto = Object.getPrototypeOf(app) as (KoaApp & { constructor: new () => KoaApp }) | null;
  while (proto !== null && !Object.hasOwn(proto, 'callback')) proto = Object.getPrototypeOf(proto);
  if (proto === null || !Object.hasOwn(proto, 'handleRequest')) return false;
  if (app.callback !== proto.callback || app.handleRequest !== proto.handleRequest) return false;
  // Koa 2 calls koa-compose itself; Koa 3 calls `this.compose`, whose default a new app shows.
  if (!('compose' in app)) return true;
  try {
    return app.compose === new proto.constructor().compose;
  } catch {
    return false;
  }
}
