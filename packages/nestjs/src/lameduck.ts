import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { extendLifecycle, LameduckConfigError } from '@lameduck/core';
import {
  createNodeLameduck,
  type ListenOptions,
  type NodeLameduck,
  type NodeLameduckOptions,
  respondToNode,
  startServer,
} from '@lameduck/core/node';
import type { DynamicModule } from '@nestjs/common';

/** The injection token of the lifecycle: `constructor(@Inject(LAMEDUCK) lameduck: NestLameduck)`. */
export const LAMEDUCK = 'LAMEDUCK';

/**
 * The module that makes the lifecycle injectable everywhere (global), so providers register
 * their checks and hooks: `imports: [LameduckModule.forRoot(lameduck)]`.
 */
// biome-ignore lint/complexity/noStaticOnlyClass: Nest identifies a module by its class; forRoot() is Nest's idiom.
export class LameduckModule {
  static forRoot(lameduck: NestLameduck): DynamicModule {
    return {
      module: LameduckModule,
      global: true,
      providers: [{ provide: LAMEDUCK, useValue: lameduck }],
      exports: [LAMEDUCK],
    };
  }
}

export interface NestLameduck extends NodeLameduck {
  /**
   * Puts the probes in front of Nest (an Express middleware or a Fastify `onRequest` hook on the
   * platform itself, so no guard, interceptor, pipe or global prefix sees them), attaches the
   * server, makes `app.close()` lameduck's last cleanup step, initialises the app and listens.
   * Call it instead of `app.listen()`, and without `app.enableShutdownHooks()`.
   */
  listen(app: NestApplicationLike, options?: ListenOptions): Promise<Server>;
}

/** The parts of a Nest 11 or 12 application (`INestApplication`) this adapter uses. */
export interface NestApplicationLike {
  getHttpAdapter(): {
    getType(): string;
    getInstance(): unknown;
    use(...handlers: unknown[]): unknown;
  };
  getHttpServer(): unknown;
  init(): Promise<unknown>;
  listen(port: number, hostname?: string): Promise<unknown>;
  close(): Promise<void>;
}

/** The private fields of Nest's application this adapter reads to refuse a wrong setup early. */
interface NestInternals {
  isInitialized?: boolean;
  /** Nest 12: a Map of signal → listener; Nest 11: activeShutdownSignals. */
  shutdownCleanupRefs?: Map<string, unknown>;
  activeShutdownSignals?: string[];
}

interface FastifyLike {
  addHook(
    name: 'onRequest',
    hook: (
      request: { raw: IncomingMessage },
      reply: { raw: ServerResponse; hijack(): void },
      done: () => void,
    ) => void,
  ): unknown;
}

/**
 * Creates the lifecycle for a NestJS app: core's probes and drain engine, plus the Nest glue.
 * Options are core's (`@lameduck/core/node`), the same for every adapter.
 */
export function createLameduck(options: NodeLameduckOptions = {}): NestLameduck {
  const lameduck = createNodeLameduck(options);
  // Registered first, so it runs last (cleanup hooks run newest first): every onCleanup hook of
  // the app's providers — registered later, in their constructors — runs before Nest's own
  // shutdown hooks (onModuleDestroy, beforeApplicationShutdown, onApplicationShutdown).
  let served: NestApplicationLike | undefined;
  lameduck.onCleanup('nest', () => served?.close());
  return extendLifecycle(lameduck, {
    async listen(app: NestApplicationLike, listenOptions: ListenOptions = {}) {
      const internals = app as unknown as NestInternals;
      if (
        (internals.shutdownCleanupRefs?.size ?? 0) > 0 ||
        (internals.activeShutdownSignals?.length ?? 0) > 0
      ) {
        throw new LameduckConfigError(
          'app.enableShutdownHooks() and lameduck would both handle SIGTERM: remove enableShutdownHooks(); lameduck calls app.close() (and so every Nest shutdown hook) after the last response',
        );
      }
      if (internals.isInitialized === true) {
        throw new LameduckConfigError(
          'lameduck.listen(app) must come before app.init(): the probes go in front of the routes Nest registers there',
        );
      }
      const adapter = app.getHttpAdapter();
      const platform = adapter.getType();
      if (platform === 'fastify') {
        (adapter.getInstance() as FastifyLike).addHook('onRequest', (request, reply, done) => {
          if (!respondToNode(lameduck, request.raw, reply.raw)) return done();
          reply.hijack(); // answered on the raw response; Fastify must not send its own
        });
      } else if (platform === 'express') {
        adapter.use((request: IncomingMessage, response: ServerResponse, next: () => void) => {
          if (!respondToNode(lameduck, request, response)) next();
        });
      } else {
        throw new LameduckConfigError(
          `@lameduck/nestjs supports the express and fastify platforms, got ${String(platform)}`,
        );
      }
      if (served !== undefined) {
        throw new LameduckConfigError('listen() called twice: one lifecycle serves one Nest app');
      }
      served = app;
      // Module and plugin errors reject here, before a port is taken.
      await app.init();
      const nest = {
        listen(port: number, host: string | undefined, onListening: () => void) {
          // Nest on Fastify listens on "localhost" without a host; the kubelet needs every interface.
          const where = host ?? (platform === 'fastify' ? '::' : undefined);
          (where === undefined ? app.listen(port) : app.listen(port, where)).then(onListening, () => {});
          return app.getHttpServer() as Server;
        },
      };
      return startServer(lameduck, nest, listenOptions);
    },
  });
}
