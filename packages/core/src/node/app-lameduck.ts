import type { Server } from 'node:http';
import { extendLifecycle } from '../kit.js';
import { createNodeLameduck, type NodeLameduck } from './node-lameduck.js';
import type { NodeLameduckOptions } from './options.js';
import { type AheadOfApp, type ProbesFirst, probesFirst } from './probes-first.js';
import { type Listenable, type ListenOptions, startServer } from './start-server.js';

/** A lifecycle for an app that listens as Node's server does (Express, Koa): its middleware and `listen(app)`. */
export interface AppLameduck<Middleware> extends NodeLameduck {
  /**
   * Middleware that answers the probe paths (`/livez`, `/readyz`, `/startupz` by default) and
   * passes every other request on. Mount it first, so probes never wait behind auth or body
   * parsing; mounted after something of yours (an allow-list, auth), probes go through that first.
   */
  middleware(): Middleware;
  /**
   * `app.listen()` with the server attached to the drain engine; resolves once it is listening.
   * A probe path the middleware answered at the app's root is answered in front of the app from
   * then on, so a probe storm never walks the router, but only while the middleware is the first
   * thing the app runs (checked at every such answer): with anything of yours before it, or the
   * middleware only under a mount path, a router or a sub-app, every probe goes through the app.
   */
  listen(app: Listenable<Server>, options?: ListenOptions): Promise<Server>;
}

/**
 * The whole of an adapter for such a framework, but its middleware: `middleware` translates the
 * framework's request for the kit and tells `probes` when it answered at the app's root.
 * `aheadOf(app, handler)` tells whether the app, as it stands at each answer, runs `handler`
 * first (see `AheadOfApp`); without it, or when it returns undefined (an app it does not
 * recognise), listen() answers no probe in front of the app.
 */
export function createAppLameduck<Middleware>(
  options: NodeLameduckOptions,
  middleware: (lameduck: NodeLameduck, probes: Pick<ProbesFirst, 'answeredAtRoot'>) => Middleware,
  aheadOf?: (app: Listenable<Server>, handler: Middleware) => AheadOfApp | undefined,
): AppLameduck<Middleware> {
  const lameduck = createNodeLameduck(options);
  const probes = probesFirst(lameduck);
  const handler = middleware(lameduck, probes);
  return extendLifecycle(lameduck, {
    middleware: () => handler,
    listen: (app: Listenable<Server>, listenOptions?: ListenOptions) =>
      startServer(lameduck, probes.inFrontOf(app, aheadOf?.(app, handler)), listenOptions),
  });
}
