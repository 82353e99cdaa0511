import type { IncomingHttpHeaders } from 'node:http';
import { isProbePath, respondToProbe } from '@lameduck/core';
import { type AppLameduck, createAppLameduck, type NodeLameduckOptions } from '@lameduck/core/node';
import { aheadOfKoa } from './first-in-app.js';

/** The parts of a Koa 2 or 3 context this adapter reads and writes. */
interface KoaContext {
  method: string;
  /** The URL before any mount rewrote it (Koa sets it once per request). */
  originalUrl?: string;
  headers: IncomingHttpHeaders;
  /** Node's request: `ctx.url` reads and writes its `url` through two getters. */
  req: { url?: string };
  status: number;
  body: unknown;
  set(headers: Record<string, string>): void;
}

type KoaMiddleware = (context: KoaContext, next: () => Promise<unknown>) => Promise<unknown>;

export interface KoaLameduck extends AppLameduck<KoaMiddleware> {}

/**
 * Creates the lifecycle for a Koa 2 or 3 app: core's probes and drain engine, plus `middleware()`
 * and `listen(app)`. Options are core's (`@lameduck/core/node`), the same for every adapter.
 */
export function createLameduck(options: NodeLameduckOptions = {}): KoaLameduck {
  return createAppLameduck(
    options,
    (lameduck, probes): KoaMiddleware =>
      (context, next) => {
        // What `context.url` returns (a mount rewrites both), without Koa's two delegating getters.
        const url = context.req.url ?? '';
        // The cheap test first, and no promise of our own: every request of the app passes here.
        if (!isProbePath(lameduck, url)) return next();
        const answer = respondToProbe(lameduck, {
          method: context.method,
          path: url,
          headers: context.headers,
        });
        if (answer === undefined) return next();
        // At the root: the URL was not rewritten by a mount.
        if (context.originalUrl === url) probes.answeredAtRoot(url);
        return answer.then(({ status, headers, body }) => {
          context.status = status;
          context.body = body;
          // After the body: Koa's body setter sets Content-Length from the body, which for HEAD
          // is empty; core's header carries the length a GET gets (RFC 9110 §9.3.2).
          context.set(headers);
        });
      },
    aheadOfKoa,
  );
}
