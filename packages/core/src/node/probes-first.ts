import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ProbePaths } from '../index.js';
import type { Lifecycle } from '../kit.js';
import { respondToNode } from './respond-to-node.js';
import type { Listenable } from './start-server.js';

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * How an adapter reads its framework's app: whether a request would meet the adapter's
 * middleware before anything the user mounted. Only then may the server answer a probe in front
 * of the app: an allow-list, auth or audit log mounted before the middleware must see every probe.
 */
export interface AppOrder {
  /**
   * Called as `app` starts listening; returns the test the server makes for every probe it would
   * answer in front of the app (users can mount more at any time): true while a request to `app`
   * reaches the middleware first, at the app's root, with nothing the user mounted before it;
   * false for anything it cannot recognise.
   */
  leads(app: unknown): () => boolean;
  /**
   * What the framework does to every response before its first middleware runs, done by the
   * server when it answers in front of the app, so both answers are the same (Express's `X-Powered-By`).
   */
  prepare?(app: unknown, response: ServerResponse): void;
}

/**
 * The adapters' shared "answer probes before the app" (Express and Koa `listen()`): the app,
 * listening with the probe answer in front of it in the server's request listener, so a probe
 * storm never walks the framework's router, for as long as `order` says the
 * middleware is the first thing a request meets. Otherwise every request goes to the app.
 * A server with no single request listener (the app) to wrap is left alone.
 */
export function probesFirst(
  lameduck: Lifecycle & { readonly paths: ProbePaths },
  order: AppOrder,
): <S extends Server>(app: Listenable<S>) => Listenable<S> {
  const bases = [lameduck.paths.readiness, lameduck.paths.liveness, lameduck.paths.startup];
  // The second characters of the probe paths ('r' of /readyz): every request passes the
  // server's listener, and most are told apart from a probe by one character. Probe paths are
  // ASCII, with a character after the slash (the options refuse anything else).
  const secondCodes = new Uint8Array(128);
  for (const base of bases) secondCodes[base.charCodeAt(1)] = 1;
  const inFront = <S extends Server>(appObject: unknown, server: S): S => {
    const listeners = server.listeners('request') as RequestListener[];
    if (listeners.length !== 1) return server;
    const app = listeners[0] as RequestListener;
    const leads = order.leads(appObject);
    server.removeListener('request', app);
    server.on('request', function (this: Server, request: IncomingMessage, response: ServerResponse) {
      const url = request.url;
      if (url !== undefined && secondCodes[url.charCodeAt(1)] === 1 && leads()) {
        order.prepare?.(appObject, response);
        if (respondToNode(lameduck, request, response)) return;
      }
      app.call(this, request, response);
    });
    return server;
  };
  return (app) => ({
    listen: (port, host, onListening) => inFront(app, app.listen(port, host, onListening)),
  });
}
