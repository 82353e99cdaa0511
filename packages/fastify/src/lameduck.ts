import type { IncomingHttpHeaders } from 'node:http';
import { extendLifecycle, isProbePath, LameduckConfigError, respondToProbe } from '@lameduck/core';
import {
  type AttachableServer,
  createNodeLameduck,
  type ListenOptions,
  type NodeLameduck,
  type NodeLameduckOptions,
  startServer,
} from '@lameduck/core/node';

/** The parts of a Fastify 4 or 5 request this adapter reads. */
interface FastifyRequestLike {
  raw: { url?: string; originalUrl?: string; method?: string; headers: IncomingHttpHeaders };
}

/** The parts of a Fastify 4 or 5 reply this adapter writes. */
interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  headers(headers: Record<string, string>): FastifyReplyLike;
  send(body?: Uint8Array): unknown;
}

/** The parts of a Fastify 4 or 5 instance this adapter uses. */
export interface FastifyInstanceLike {
  readonly server: AttachableServer;
  addHook(
    name: 'onRequest',
    hook: (request: FastifyRequestLike, reply: FastifyReplyLike, done: () => void) => void,
  ): unknown;
  decorateRequest(name: string, value: { getter: () => unknown }): unknown;
  ready(): PromiseLike<unknown>;
  listen(options: { port: number; host: string }): PromiseLike<unknown>;
  close(): PromiseLike<unknown>;
}

/** A Fastify plugin that applies to the instance it is registered on (not an encapsulated child). */
export type LameduckPlugin = (
  fastify: FastifyInstanceLike,
  options: unknown,
  done: (error?: Error) => void,
) => void;

export interface FastifyLameduck extends NodeLameduck {
  /**
   * The Fastify plugin: `app.register(lameduck.plugin())`. It answers the probe paths (`/livez`,
   * `/readyz`, `/startupz` by default) in an `onRequest` hook, before body parsing and every
   * other hook of yours; sets `request.drainSignal` and `request.deadlineSignal`; attaches `app.server` to the drain engine;
   * and registers a cleanup hook that calls `app.close()` after the last response, so your
   * `onClose` hooks (closing the database) run only once no request needs them.
   */
  plugin(): LameduckPlugin;
  /**
   * `app.listen()` on all interfaces (`::`, not Fastify's default `localhost`, which a kubelet
   * cannot reach) with the server attached; resolves once it listens.
   */
  listen(app: FastifyInstanceLike, options?: ListenOptions): Promise<FastifyInstanceLike['server']>;
}

/** Where the kubelet can reach the pod: every interface (IPv4 too, on a dual-stack host). */
const ALL_INTERFACES = '::';

/**
 * Creates the lifecycle for a Fastify app: core's probes and drain engine, plus the Fastify glue.
 * Options are core's (`@lameduck/core/node`), the same for every adapter.
 */
export function createLameduck(options: NodeLameduckOptions = {}): FastifyLameduck {
  const lameduck = createNodeLameduck(options);
  const registered = new WeakSet<FastifyInstanceLike>();

  const plugin = ((fastify, _options, done) => {
    try {
      lameduck.attach(fastify.server);
      registered.add(fastify);
      fastify.decorateRequest('drainSignal', { getter: () => lameduck.drainSignal });
      fastify.decorateRequest('deadlineSignal', { getter: () => lameduck.deadlineSignal });
      fastify.addHook('onRequest', (request, reply, next) => {
        // The target as received: Fastify's rewriteUrl replaces raw.url and keeps the original
        // in raw.originalUrl; a probe path is never rewritten.
        const url = request.raw.originalUrl ?? request.raw.url ?? '/';
        if (!isProbePath(lameduck, url)) return next();
        const answer = respondToProbe(lameduck, {
          method: request.raw.method ?? 'GET',
          path: url,
          headers: request.raw.headers,
        });
        if (answer === undefined) return next();
        // Answered here, without calling next(): no body parsing, no validation, no handler. A
        // Buffer, so that Fastify sends core's Content-Type as it is (a string gets a charset added).
        void answer.then(({ status, headers, body }) =>
          reply.code(status).headers(headers).send(Buffer.from(body)),
        );
      });
      // Fastify's own close (preClose and onClose hooks, where users end their pools) runs as
      // lameduck's cleanup: after the drain, when no request is left that needs a dependency.
      // Registered now, it runs after cleanup hooks registered later (they run newest first).
      lameduck.onCleanup('fastify', () => fastify.close());
      done();
    } catch (error) {
      done(error as Error);
    }
  }) as LameduckPlugin;
  // What fastify-plugin sets: no encapsulation (the hook sees every route, the 404 handler
  // included), a name for Fastify's errors and `printPlugins()`, and the versions it supports.
  Object.assign(plugin, {
    [Symbol.for('skip-override')]: true,
    [Symbol.for('fastify.display-name')]: '@lameduck/fastify',
    [Symbol.for('plugin-meta')]: { name: '@lameduck/fastify', fastify: '4.x || 5.x' },
  });

  return extendLifecycle(lameduck, {
    plugin: () => plugin,
    async listen(app: FastifyInstanceLike, listenOptions: ListenOptions = {}) {
      // Plugin errors reject here, before a port is taken; after this only the socket can fail,
      // and the server's 'error' event carries that to startServer's one-line message.
      await app.ready();
      if (!registered.has(app)) {
        throw new LameduckConfigError(
          'listen(app) needs the plugin on that app: call app.register(lameduck.plugin()) before listen()',
        );
      }
      const served = {
        listen(port: number, host: string | undefined, onListening: () => void) {
          app.listen({ port, host: host ?? ALL_INTERFACES }).then(onListening, () => {});
          return app.server;
        },
      };
      return startServer(lameduck, served, listenOptions);
    },
  });
}
