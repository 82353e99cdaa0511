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
  // Probe paths a middleware() mounted at the app's root has answered: listen()'s server answers
  // those itself, before Express's router and middleware stack, as the middleware would have.
  const answeredAtRoot = new Set<string>();
  const bases = [lameduck.paths.readiness, lameduck.paths.liveness, lameduck.paths.startup];
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
          const base = probeBase(bases, request.url ?? '');
          if (base !== undefined) answeredAtRoot.add(base);
        }
      };
    },
    listen(app: ExpressApp, listenOptions: ListenOptions = {}) {
      return startServer(
        lameduck,
        (port, host, onListening) => {
          const server = app.listen(port, host as string, onListening);
          answerProbesFirst(server, (request, response) => {
            if (answeredAtRoot.size === 0) return false;
            const base = probeBase(bases, request.url ?? '');
            return base !== undefined && answeredAtRoot.has(base) && lameduck.handleProbe(request, response);
          });
          return server;
        },
        listenOptions,
      );
    },
  });
}

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Puts `answer` in front of the app in the server's request listener: a probe storm then never
 * walks Express's router. Left as it is when the server has no single request listener (the
 * app) to wrap.
 */
function answerProbesFirst(
  server: Server,
  answer: (request: IncomingMessage, response: ServerResponse) => boolean,
): void {
  const listeners = server.listeners('request') as RequestListener[];
  if (listeners.length !== 1) return;
  const app = listeners[0] as RequestListener;
  server.removeListener('request', app);
  server.on('request', function (this: Server, request: IncomingMessage, response: ServerResponse) {
    if (!answer(request, response)) app.call(this, request, response);
  });
}

/** The probe path an origin-form target is (`/readyz`, `/readyz?x`) or is under (`/readyz/db`). */
function probeBase(bases: readonly string[], url: string): string | undefined {
  for (const base of bases) {
    if (url.startsWith(base)) {
      const next = url.charCodeAt(base.length);
      // end of string, '/' or '?'
      if (Number.isNaN(next) || next === 47 || next === 63) return base;
    }
  }
  return undefined;
}
