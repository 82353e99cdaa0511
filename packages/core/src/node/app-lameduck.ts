import type { Server } from 'node:http';
import { extendLifecycle } from '../kit.js';
import { createNodeLameduck, type NodeLameduck } from './node-lameduck.js';
import type { NodeLameduckOptions } from './options.js';
import { type ProbesFirst, probesFirst } from './probes-first.js';
import { type Listenable, type ListenOptions, startServer } from './start-server.js';

/** A lifecycle for an app that listens as Node's server does (Express, Koa): its middleware and `listen(app)`. */
export interface AppLameduck<Middleware> extends NodeLameduck {
  /**
   * Middleware that answers the probe paths (`/livez`, `/readyz`, `/startupz` by default) and
   * passes every other request on. Mount it first, so probes never wait behind auth or body parsing.
   */
  middleware(): Middleware;
  /**
   * `app.listen()` with the server attached to the drain engine; resolves once it is listening.
   * Probe paths the middleware answered at the app's root are answered in front of the app from
   * then on, so a probe storm never walks the router.
   */
  listen(app: Listenable<Server>, options?: ListenOptions): Promise<Server>;
}

/**
 * The whole of an adapter for such a framework, but its middleware: `middleware` translates the
 * framework's request for the kit and tells `probes` when it answered at the app's root.
 */
export function createAppLameduck<Middleware>(
  options: NodeLameduckOptions,
  middleware: (lameduck: NodeLameduck, probes: Pick<ProbesFirst, 'answeredAtRoot'>) => Middleware,
): AppLameduck<Middleware> {
  const lameduck = createNodeLameduck(options);
  const probes = probesFirst(lameduck);
  const handler = middleware(lameduck, probes);
  return extendLifecycle(lameduck, {
    middleware: () => handler,
    listen: (app: Listenable<Server>, listenOptions?: ListenOptions) =>
      startServer(lameduck, probes.inFrontOf(app), listenOptions),
  });
}
