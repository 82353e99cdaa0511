import type { ServerType } from '@hono/node-server';
import { extendLifecycle } from '@lameduck/core';
import {
  createNodeLameduck,
  type ListenOptions,
  type NodeLameduck,
  type NodeLameduckOptions,
  startServer,
} from '@lameduck/core/node';
import type { MiddlewareHandler } from 'hono';
import { type LameduckEnv, probeMiddleware } from './middleware.js';

/** Any Hono app: all this adapter needs is its fetch handler. */
interface HonoApp {
  fetch: (request: Request, ...rest: never[]) => Response | Promise<Response>;
}

/** `@hono/node-server`'s `serve()` options besides `fetch`, `port` and `hostname` (e.g. HTTP/2's `createServer`). */
export interface HonoListenOptions extends ListenOptions {
  createServer?: unknown;
  serverOptions?: unknown;
  overrideGlobalObjects?: boolean;
}

export interface HonoLameduck extends NodeLameduck {
  /**
   * Middleware that answers the probe paths (`/livez`, `/readyz`, `/startupz` by default) and
   * passes every other request on, with `c.var.drainSignal` and `c.var.deadlineSignal` set. Works on any runtime Hono
   * runs on, including `app.request()` in tests; the drain engine is attached only by `listen()`.
   */
  middleware(): MiddlewareHandler<LameduckEnv>;
  /** `serve()` from `@hono/node-server` (HTTP/1 or HTTP/2) with the server attached to the drain engine. */
  listen(app: HonoApp, options?: HonoListenOptions): Promise<ServerType>;
}

/**
 * Creates the lifecycle for a Hono app on Node: core's probes and drain engine, plus the Hono
 * glue. Options are core's (`@lameduck/core/node`), the same for every adapter.
 */
export function createLameduck(options: NodeLameduckOptions = {}): HonoLameduck {
  const lameduck = createNodeLameduck(options);
  const middleware = probeMiddleware(lameduck, lameduck.deadlineSignal, lameduck.drainSignal);
  return extendLifecycle(lameduck, {
    middleware: () => middleware,
    async listen(app: HonoApp, { port, host, ...serveOptions }: HonoListenOptions = {}) {
      // Loaded on first use, so runtimes without Node's http server never need @hono/node-server.
      const { serve } = await import('@hono/node-server');
      type ServeOptions = Parameters<typeof serve>[0];
      const served = {
        listen: (listenPort: number, hostname: string | undefined, onListening: () => void) =>
          serve({ fetch: app.fetch, port: listenPort, hostname, ...serveOptions } as ServeOptions, () =>
            onListening(),
          ),
      };
      return startServer(lameduck, served, { port, host });
    },
  });
}
