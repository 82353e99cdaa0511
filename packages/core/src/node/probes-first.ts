import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ProbePaths } from '../index.js';
import type { Lifecycle } from '../kit.js';
import { probeBase } from '../paths.js';
import { respondToNode } from './respond-to-node.js';
import type { Listenable } from './start-server.js';

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Asked before each probe the server would answer in front of the app: true when nothing the user
 * mounted runs before lameduck's middleware in the app as it stands now (checked per answer, as
 * users can mount more after `listen()`), after preparing `response` as the framework would have
 * before its middleware (Express's `X-Powered-By`). False sends the request through the app.
 */
export type AheadOfApp = (response: ServerResponse) => boolean;

export interface ProbesFirst {
  /**
   * The adapter's middleware answered `url` at the app's root (no mount path): from now on the
   * server of `inFrontOf` may answer that probe path itself, as the middleware would have.
   */
  answeredAtRoot(url: string): void;
  /**
   * The app, listening with the probe answer in front of it in the server's request listener, so
   * a probe storm never walks the framework's router or middleware (what `startServer` takes). A
   * probe is answered there only while `ahead` says that the app's own order reaches lameduck's
   * middleware first; otherwise it goes through the app, past whatever the user mounted before.
   * Without `ahead`, or with a server that has no single request listener (the app) to wrap, the
   * app is left alone.
   */
  inFrontOf<S extends Server>(app: Listenable<S>, ahead: AheadOfApp | undefined): Listenable<S>;
}

/** The adapters' shared "answer probes before the app" (Express and Koa `listen()`). */
export function probesFirst(lameduck: Lifecycle & { readonly paths: ProbePaths }): ProbesFirst {
  const answered = new Set<string>();
  const bases = [lameduck.paths.readiness, lameduck.paths.liveness, lameduck.paths.startup];
  // The second characters of the answered paths ('r' of /readyz): every request passes the
  // server's listener, and most are told apart from a probe by one character. Probe paths are
  // ASCII, with a character after the slash (the options refuse anything else).
  const secondCodes = new Uint8Array(128);
  const inFront = <S extends Server>(server: S, ahead: AheadOfApp): S => {
    const listeners = server.listeners('request') as RequestListener[];
    if (listeners.length !== 1) return server;
    const app = listeners[0] as RequestListener;
    server.removeListener('request', app);
    server.on('request', function (this: Server, request: IncomingMessage, response: ServerResponse) {
      const url = request.url;
      if (url !== undefined && secondCodes[url.charCodeAt(1)] === 1) {
        const base = probeBase(bases, url);
        if (
          base !== undefined &&
          answered.has(base) &&
          firstInApp(ahead, response) &&
          respondToNode(lameduck, request, response)
        ) {
          return;
        }
      }
      app.call(this, request, response);
    });
    return server;
  };
  return {
    answeredAtRoot(url) {
      const base = probeBase(bases, url);
      if (base === undefined) return;
      answered.add(base);
      secondCodes[base.charCodeAt(1)] = 1;
    },
    inFrontOf: (app, ahead) =>
      typeof ahead === 'function'
        ? { listen: (port, host, onListening) => inFront(app.listen(port, host, onListening), ahead) }
        : app,
  };
}

/** The adapter's test, never a throw into the server's listener: in doubt, the app answers. */
function firstInApp(ahead: AheadOfApp, response: ServerResponse): boolean {
  try {
    return ahead(response) === true;
  } catch {
    return false;
  }
}
