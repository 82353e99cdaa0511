import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { extendLifecycle } from '@lameduck/core';
import {
  createNodeLameduck,
  type Listenable,
  type ListenOptions,
  type NodeLameduck,
  type NodeLameduckOptions,
  probesFirst,
  respondToNode,
  startServer,
} from '@lameduck/core/node';

/** Express middleware: Node's request and response, with Express's `baseUrl` (its mount path). */
type ExpressMiddleware = (
  request: IncomingMessage & { baseUrl?: string },
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void;

export interface ExpressLameduck extends NodeLameduck {
  /**
   * Middleware that answers the probe paths (`/livez`, `/readyz`, `/startupz` by default) and
   * passes every other request on. Mount it first, so probes never wait behind auth or body parsing.
   */
  middleware(): ExpressMiddleware;
  /** `app.listen()` with the server attached to the drain engine; resolves once it is listening. */
  listen(app: Listenable<Server>, options?: ListenOptions): Promise<Server>;
}

/**
 * Creates the lifecycle for an Express 4 or 5 app: core's probes and drain engine, plus the
 * Express glue. Options are core's (`@lameduck/core/node`), the same for every adapter.
 */
export function createLameduck(options: NodeLameduckOptions = {}): ExpressLameduck {
  const lameduck = createNodeLameduck(options);
  // Probe paths the middleware answered at the app's root: listen()'s server answers those
  // itself, before Express's router, as the middleware would have.
  const probes = probesFirst(lameduck);
  const middleware: ExpressMiddleware = (request, response, next) => {
    // `request.url` is relative to the mount point: app.use('/internal', mw) serves /internal/readyz.
    if (!respondToNode(lameduck, request, response)) return next();
    // At the root, not through a sub-app or router mounted elsewhere.
    if (request.baseUrl === '') probes.answeredAtRoot(request.url ?? '');
  };
  return extendLifecycle(lameduck, {
    middleware: () => middleware,
    listen: (app: Listenable<Server>, listenOptions?: ListenOptions) =>
      startServer(lameduck, probes.inFrontOf(app), listenOptions),
  });
}
