import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  createNodeLameduck,
  type ListenOptions,
  type NodeLameduck,
  type NodeLameduckOptions,
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
  return Object.assign(lameduck, {
    middleware() {
      return (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => {
        // `request.url` is relative to the mount point: app.use('/internal', mw) serves /internal/readyz.
        if (!lameduck.handleProbe(request, response)) next();
      };
    },
    listen(app: ExpressApp, listenOptions: ListenOptions = {}) {
      return startServer(
        lameduck,
        (port, host, onListening) => app.listen(port, host as string, onListening),
        listenOptions,
      );
    },
  });
}
