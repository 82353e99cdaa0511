import type { AheadOfApp } from '@lameduck/core/node';

/**
 * Whether a probe may be answered in front of the Koa app `app`: only while `middleware` is the
 * first of its middleware (checked at every answer: `app.middleware` can change after listen()).
 * The list is the one `app.listen()` composes, so a list swapped for another one afterwards, or an
 * app without one, sends every probe through the app.
 */
export function aheadOfKoa(app: unknown, middleware: unknown): AheadOfApp | undefined {
  const koa = app as { middleware?: unknown } | null;
  const list = koa?.middleware;
  if (!Array.isArray(list)) return undefined;
  return () => koa?.middleware === list && list[0] === middleware;
}
