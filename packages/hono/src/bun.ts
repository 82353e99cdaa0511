// @lameduck/hono/bun: probes and the drain for a Hono app served by Bun.serve.
import { extendLifecycle } from '@lameduck/core';
import { createRuntimeLameduck, type RuntimeLameduck } from './runtime/drain.js';
import { portFromEnv, type RuntimeLameduckOptions } from './runtime/options.js';

export { httpCheck, LameduckConfigError } from '@lameduck/core';
export type { LameduckEnv } from './middleware.js';
export type * from './model-types.js';
export type { RuntimeLameduck, ShutdownResult } from './runtime/drain.js';
export type { RuntimeDrainSettings, RuntimeLameduckOptions } from './runtime/options.js';

/** The parts of Bun's server this helper uses (no dependency on bun-types). */
export interface BunServer {
  readonly port: number;
  readonly hostname: string;
  stop(closeActiveConnections?: boolean): Promise<void>;
}

declare const Bun: {
  serve(options: {
    port: number;
    hostname?: string;
    fetch: (request: Request, server: unknown) => Response | Promise<Response>;
  }): BunServer;
};

interface HonoApp {
  fetch: (request: Request, ...rest: never[]) => Response | Promise<Response>;
}

export interface BunLameduck extends RuntimeLameduck {
  /**
   * `Bun.serve()` with the app's fetch, drained on SIGTERM: `server.stop()` after the drain delay
   * waits for requests in flight; at the drain timeout `server.stop(true)` cuts what is left.
   * `port` defaults to `PORT`, else 8080; `hostname` to Bun's (every interface).
   */
  listen(app: HonoApp, options?: { port?: number; hostname?: string }): BunServer;
}

/** Creates the lifecycle for a Hono app on Bun. Options: the other adapters' (`drainDelayMs`, …). */
export function createLameduck(options: RuntimeLameduckOptions = {}): BunLameduck {
  const { lameduck, wrapFetch, addServer } = createRuntimeLameduck(options, {
    onSignal(signal, listener) {
      process.on(signal, listener);
      return () => process.off(signal, listener);
    },
    exit: (code) => process.exit(code),
    env: (name) => process.env[name],
  });
  return extendLifecycle(lameduck, {
    listen(app: HonoApp, { port, hostname }: { port?: number; hostname?: string } = {}) {
      const server = Bun.serve({
        port: port ?? portFromEnv(process.env.PORT),
        ...(hostname === undefined ? {} : { hostname }),
        fetch: wrapFetch(app.fetch as (request: Request, server: unknown) => Response | Promise<Response>),
      });
      addServer({ stop: () => server.stop(), forceStop: () => server.stop(true) });
      lameduck.logger.info(`listening on ${server.hostname}:${server.port}`);
      return server;
    },
  });
}
