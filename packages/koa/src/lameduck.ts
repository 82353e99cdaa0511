import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  createNodeLameduck,
  type ListenOptions,
  type NodeLameduck,
  type NodeLameduckOptions,
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
  const answeredAtRoot = new Set<string>();
  const bases = [lameduck.paths.readiness, lameduck.paths.liveness, lameduck.paths.startup];
  return Object.assign(lameduck, {
    middleware() {
      return async (context: KoaContext, next: () => Promise<unknown>) => {
        const url = context.url;
        if (!lameduck.isProbePath(url)) return next();
        const answer = lameduck.respond({ method: context.method, path: url, headers: context.headers });
        if (!answer) return next();
        if (context.originalUrl === url) {
          const base = probeBase(bases, url);
          if (base !== undefined) answeredAtRoot.add(base);
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
 * goes through Koa's context and middleware. Left as it is when the server has no single
 * request listener (the app's callback) to wrap.
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
