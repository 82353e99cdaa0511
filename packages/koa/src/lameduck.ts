import type { IncomingHttpHeaders, Server } from 'node:http';
import { extendLifecycle, isProbePath, respondToProbe } from '@lameduck/core';
import {
  createNodeLameduck,
  type Listenable,
  type ListenOptions,
  type NodeLameduck,
  type NodeLameduckOptions,
  probesFirst,
  startServer,
} from '@lameduck/core/node';

/** The parts of a Koa 2 or 3 context this adapter reads and writes. */
interface KoaContext {
  method: string;
  url: string;
  /** The URL before any mount rewrote it (Koa sets it once per request). */
  originalUrl?: string;
  headers: IncomingHttpHeaders;
  status: number;
  body: unknown;
  set(headers: Record<string, string>): void;
}

type KoaMiddleware = (context: KoaContext, next: () => Promise<unknown>) => Promise<unknown>;

export interface KoaLameduck extends NodeLameduck {
  /**
   * Middleware that answers the probe paths (`/livez`, `/readyz`, `/startupz` by default) and
   * passes every other request on. `app.use()` it first, so probes never wait behind other middleware.
   */
  middleware(): KoaMiddleware;
  /** `app.listen()` with the server attached to the drain engine; resolves once it is listening. */
  listen(app: Listenable<Server>, options?: ListenOptions): Promise<Server>;
}

/**
 * Creates the lifecycle for a Koa 2 or 3 app: core's probes and drain engine, plus the Koa glue.
 * Options are core's (`@lameduck/core/node`), the same for every adapter.
 */
export function createLameduck(options: NodeLameduckOptions = {}): KoaLameduck {
  const lameduck = createNodeLameduck(options);
  // Probe paths the middleware answered at the app's root (URL not rewritten by a mount):
  // listen()'s server answers those itself, before Koa builds a context.
  const probes = probesFirst(lameduck);
  const middleware: KoaMiddleware = async (context, next) => {
    const url = context.url;
    // The cheap test first: every request of the app passes here.
    if (!isProbePath(lameduck, url)) return next();
    const answer = respondToProbe(lameduck, { method: context.method, path: url, headers: context.headers });
    if (answer === undefined) return next();
    if (context.originalUrl === url) probes.answeredAtRoot(url);
    const { status, headers, body } = await answer;
    context.status = status;
    context.body = body;
    // After the body: Koa's body setter sets Content-Length from the body, which for HEAD is
    // empty; core's header carries the length a GET gets (RFC 9110 §9.3.2).
    context.set(headers);
  };
  return extendLifecycle(lameduck, {
    middleware: () => middleware,
    listen: (app: Listenable<Server>, listenOptions?: ListenOptions) =>
      startServer(lameduck, probes.inFrontOf(app), listenOptions),
  });
}
