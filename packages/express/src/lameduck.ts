import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  createNodeLameduck,
  type ListenOptions,
  type NodeLameduck,
  type NodeLameduckOptions,
  probesFirst,
  startServer,
} from '@lameduck/core/node';

/** Any Express 4 or 5 app: all this adapter needs is `listen`. */
interface ExpressApp {
  listen(port: number, hostname: string, callback?: () => void): Server;
}

export interface ExpressLameduck extends NodeLameduck {
  /**
   * Middleware that answers the probe paths (`/livez`, `/readyz`, `/startupz` by default) and
   * passes every other request on. Mount it first, so probes never wait behind auth or body parsing.
   */
  middleware(): (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;
  /** `app.listen()` with the server attached to the drain engine; resolves once it is listening. */
  listen(app: ExpressApp, options?: ListenOptions): Promise<Server>;
}

/**
 * Creates the lifecycle for an Express app: core's probes and drain engine, plus the Express glue.
 * Options are core's (`@lameduck/core/node`), the same for every adapter.
 */
export function createLameduck(options: NodeLameduckOptions = {}): ExpressLameduck {
  const lameduck = createNodeLameduck(options);
  // Probe paths a middleware() mounted at the app's root has answered: listen()'s server answers
  // those itself, before Express's router and middleware stack, as the middleware would have.
  const probes = probesFirst(lameduck);
  return Object.assign(lameduck, {
    middleware() {
      return (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => {
        // `request.url` is relative to the mount point: app.use('/internal', mw) serves /internal/readyz.
        if (!lameduck.handleProbe(request, response)) {
          next();
          return;
        }
        // At the root (no mount path), and not reached through a sub-app or router mounted elsewhere.
        if ((request as { baseUrl?: unknown }).baseUrl === '') {
          probes.answeredAtRoot(request.url ?? '');
        }
      };
    },
    listen(app: ExpressApp, listenOptions: ListenOptions = {}) {
      return startServer(
        lameduck,
        (port, host, onListening) => {
          const server = app.listen(port, host as string, onListening);
          return probes.inFront(server);
        },
        listenOptions,
      );
    },
  });
}
