import type { IncomingHttpHeaders, Server } from 'node:http';
import {
  createNodeLameduck,
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

/** Any Koa 2 or 3 app: all this adapter needs is `listen`. */
interface KoaApp {
  listen(port: number, hostname: string, callback?: () => void): Server;
}

export interface KoaLameduck extends NodeLameduck {
  /**
   * Middleware that answers the probe paths (`/livez`, `/readyz`, `/startupz` by default) and
   * passes every other request on. `app.use()` it first, so probes never wait behind other middleware.
   */
  middleware(): (context: KoaContext, next: () => Promise<unknown>) => Promise<unknown>;
  /** `app.listen()` with the server attached to the drain engine; resolves once it is listening. */
  listen(app: KoaApp, options?: ListenOptions): Promise<Server>;
}

/**
 * Creates the lifecycle for a Koa app: core's probes and drain engine, plus the Koa glue.
 * Options are core's (`@lameduck/core/node`), the same for every adapter.
 */
export function createLameduck(options: NodeLameduckOptions = {}): KoaLameduck {
  const lameduck = createNodeLameduck(options);
  // Probe paths a middleware() at the app's root (URL not rewritten by a mount) has answered:
  // listen()'s server answers those itself, before Koa builds a context and runs the middleware.
  const probes = probesFirst(lameduck);
  return Object.assign(lameduck, {
    middleware() {
      return async (context: KoaContext, next: () => Promise<unknown>) => {
        const url = context.url;
        if (!lameduck.isProbePath(url)) return next();
        const answer = lameduck.respond({ method: context.method, path: url, headers: context.headers });
        if (!answer) return next();
        if (context.originalUrl === url) {
          probes.answeredAtRoot(url);
        }
        const { status, headers, body } = await answer;
        context.status = status;
        context.body = body;
        // After the body: Koa's body setter sets Content-Length from the body, which for HEAD
        // is empty; core's header carries the length a GET gets (RFC 9110 §9.3.2).
        context.set(headers);
      };
    },
    listen(app: KoaApp, listenOptions: ListenOptions = {}) {
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
