import type { Server } from 'node:http';
import { extendLifecycle } from '../kit.js';
import { createNodeLameduck, type NodeLameduck } from './node-lameduck.js';
import type { NodeLameduckOptions } from './options.js';
import { type AppOrder, probesFirst } from './probes-first.js';
import { type Listenable, type ListenOptions, startServer } from './start-server.js';

/** A lifecycle for an app that listens as Node's server does (Express, Koa): its middleware and `listen(app)`. */
export interface AppLameduck<Middleware> extends NodeLameduck {
  /**
   * Middleware that answers the probe paths (`/livez`, `/readyz`, `/startupz` by default) and
   * passes every other request on. Mount it first, so probes never wait behind body parsing;
   * whatever you mount before it (an allow-list, auth) runs for probes too.
   */
  middleware(): Middleware;
  /**
   * `app.listen()` with the server attached to the drain engine; resolves once it is listening.
   * While the middleware is the first thing mounted at the app's root (checked for each probe),
   * the server answers probes in front of the app, the same answer the middleware gives, so a
   * probe storm never walks the router; otherwise every probe goes through the app in its order.
   */
  listen(app: Listenable<Server>, options?: ListenOptions): Promise<Server>;
}

/**
 * The whole of an adapter for such a framework, but its middleware and how to read the app:
 * `middleware` translates the framework's request for the kit; `order` tells whether that
 * middleware (the one `handler` passed to it) leads an app.
 */
export function createAppLameduck<Middleware>(
  options: NodeLameduckOptions,
  middleware: (lameduck: NodeLameduck) => Middleware,
  order: (handler: Middleware) => AppOrder,
): AppLameduck<Middleware> {
  const lameduck = createNodeLameduck(options);
  const handler = middleware(lameduck);
  const inFrontOf = probesFirst(lameduck, order(handler));
  return extendLifecycle(lameduck, {
    middleware: () => handler,
    listen: (app: Listenable<Server>, listenOptions?: ListenOptions) =>
      startServer(lameduck, inFrontOf(app), listenOptions),
  });
}
