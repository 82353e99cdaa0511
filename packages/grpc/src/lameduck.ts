import diagnostics from 'node:diagnostics_channel';
import { type Server, ServerCredentials } from '@grpc/grpc-js';
import { extendLifecycle, LameduckConfigError } from '@lameduck/core';
import {
  createNodeLameduck,
  DIAGNOSTICS_CHANNELS,
  type LameduckShutdownMessage,
  type ListenOptions,
  type NodeLameduck,
  type NodeLameduckOptions,
} from '@lameduck/core/node';
import { http2ServersOf, serviceNamesOf } from './grpc-internals.js';
import { HEALTH_SERVICE, healthImplementation } from './health-service.js';
import { listenAddress } from './listen-address.js';

export interface GrpcListenOptions extends ListenOptions {
  /**
   * Default: `ServerCredentials.createInsecure()`. Kubernetes' `grpc` probes speak plaintext
   * only: with TLS here, serve the probes on a second, plaintext port (`listen()` twice).
   */
  credentials?: ServerCredentials;
}

export interface GrpcLameduck extends NodeLameduck {
  /**
   * Registers `grpc.health.v1.Health` (Check and Watch) on the server, answered from this
   * lifecycle: the empty service name, `readiness` and every service registered on the server
   * answer as readiness does (NOT_SERVING while starting and from the first moment of the
   * drain), `liveness` as liveness (SERVING through the drain), `startup` as startup; any other
   * name is NOT_FOUND (Check) or SERVICE_UNKNOWN (Watch). `listen()` calls it; once per server.
   */
  addHealthService(server: Server): Server;
  /**
   * Binds the server (`bindAsync`) on `host:port` (default every interface, port `PORT` or
   * 8080) with the health service registered, and attaches grpc-js's HTTP/2 servers to the
   * drain engine; resolves with the port bound. After the drain, `server.forceShutdown()` runs
   * as a cleanup hook (after the hooks you register later: they run newest first).
   */
  listen(server: Server, options?: GrpcListenOptions): Promise<number>;
}

/**
 * Creates the lifecycle for a gRPC server on @grpc/grpc-js: core's checks, hooks and drain
 * engine, the health service, and `listen(server)`. Options are core's (`@lameduck/core/node`),
 * the same for every adapter.
 */
export function createLameduck(options: NodeLameduckOptions = {}): GrpcLameduck {
  const lameduck = createNodeLameduck(options);
  const withHealth = new WeakSet<Server>();
  const shutDownAfterDrain = new WeakSet<Server>();
  // Watch streams end when the listeners close, not at the drain's start (drainSignal): they
  // carry NOT_SERVING to their clients through the delay, then must not hold the drain open.
  const closing = new AbortController();

  // The engine reports each step of a shutdown on its diagnostics channel; the end of the delay
  // is the one this adapter acts on (the drain engine itself knows nothing of gRPC).
  const onShutdownStep = (message: unknown) => {
    const step = message as LameduckShutdownMessage;
    if (step.lifecycle !== lameduck) return;
    if (step.phase === 'delay-end' || step.phase === 'done') {
      closing.abort(new Error('the drain delay ended: the listeners are closing'));
      diagnostics.unsubscribe(DIAGNOSTICS_CHANNELS.shutdown, onShutdownStep);
    }
  };
  diagnostics.subscribe(DIAGNOSTICS_CHANNELS.shutdown, onShutdownStep);

  const addHealthService = (server: Server) => {
    if (!isGrpcServer(server)) {
      throw new LameduckConfigError(
        `addHealthService() and listen() take a grpc-js Server (new Server() from @grpc/grpc-js), got ${kindOf(server)}`,
      );
    }
    if (withHealth.has(server)) return server;
    server.addService(
      HEALTH_SERVICE,
      healthImplementation({
        lifecycle: lameduck,
        registeredServices: () => serviceNamesOf(server),
        closing: closing.signal,
      }),
    );
    withHealth.add(server);
    return server;
  };

  return extendLifecycle(lameduck, {
    addHealthService,
    async listen(server: Server, listenOptions: GrpcListenOptions = {}) {
      addHealthService(server);
      if (listenOptions === null || typeof listenOptions !== 'object') {
        throw new LameduckConfigError('listen() options must be an object like { port: 50051 }');
      }
      const address = listenAddress(listenOptions, process.env);
      const credentials = listenOptions.credentials ?? ServerCredentials.createInsecure();
      if (lameduck.state === 'closed') {
        throw new LameduckConfigError(
          'listen() after the shutdown completed: this lifecycle is closed and would never drain the server; create a new lifecycle for a process that serves again',
        );
      }
      const before = new Set(http2ServersOf(server));
      const port = await new Promise<number>((resolve, reject) => {
        try {
          server.bindAsync(address.target, credentials, (error, bound) => {
            if (error) reject(new Error(bindFailure(address.host, address.port, error)));
            else resolve(bound);
          });
        } catch (error) {
          // grpc-js checks the credentials' class: it must be the server's own grpc-js's.
          reject(
            /creds must be a ServerCredentials/.test(String((error as Error)?.message))
              ? new LameduckConfigError(
                  'credentials must be a ServerCredentials from the same @grpc/grpc-js as the server: ServerCredentials.createInsecure() or createSsl()',
                )
              : error,
          );
        }
      });
      // Attached in bindAsync's callback, before the event loop turns: no connection yet.
      try {
        for (const http2Server of http2ServersOf(server)) {
          if (!before.has(http2Server)) lameduck.attach(http2Server);
        }
      } catch (error) {
        server.forceShutdown();
        throw error;
      }
      if (!shutDownAfterDrain.has(server)) {
        shutDownAfterDrain.add(server);
        // The engine closed the listeners and waited for every call; this releases what grpc-js
        // keeps besides (its channelz entries, its own record of the sessions).
        lameduck.onCleanup('grpc', () => server.forceShutdown());
      }
      lameduck.logger.info(`listening on ${address.host}:${port}`);
      return port;
    },
  });
}

function isGrpcServer(value: unknown): value is Server {
  const server = value as Partial<Server> | null;
  return typeof server?.bindAsync === 'function' && typeof server.addService === 'function';
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object without bindAsync and addService`;
  return typeof value;
}

/** grpc-js's bind error in one line that says what to do. */
function bindFailure(host: string, port: number, error: Error): string {
  const where = `${host} port ${port}`;
  return /EADDRINUSE/.test(error.message)
    ? `cannot listen on ${where}: the port is already in use; stop the other process or set PORT`
    : `cannot listen on ${where}: ${error.message}`;
}
