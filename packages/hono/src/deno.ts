// @lameduck/hono/deno: probes and the drain for a Hono app served by Deno.serve.
import { extendLifecycle } from '@lameduck/core';
import { createRuntimeLameduck, type RuntimeLameduck } from './runtime/drain.js';
import { portFromEnv, type RuntimeLameduckOptions } from './runtime/options.js';

export { httpCheck, LameduckConfigError } from '@lameduck/core';
export type { LameduckEnv } from './middleware.js';
export type * from './model-types.js';
export type { RuntimeLameduck, ShutdownResult } from './runtime/drain.js';
export type { RuntimeDrainSettings, RuntimeLameduckOptions } from './runtime/options.js';

/** The parts of Deno's HTTP server this helper uses (no dependency on Deno's types). */
export interface DenoServer {
  readonly addr: { hostname: string; port: number };
  shutdown(): Promise<void>;
  readonly finished: Promise<void>;
}

type DenoSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP';

declare const Deno: {
  serve(
    options: {
      port: number;
      hostname?: string;
      onListen?: (address: { hostname: string; port: number }) => void;
    },
    handler: (request: Request, info: unknown) => Response | Promise<Response>,
  ): DenoServer;
  addSignalListener(signal: DenoSignal, listener: () => void): void;
  removeSignalListener(signal: DenoSignal, listener: () => void): void;
  exit(code: number): never;
  env: { get(name: string): string | undefined };
};

interface HonoApp {
  fetch: (request: Request, ...rest: never[]) => Response | Promise<Response>;
}

export interface DenoLameduck extends RuntimeLameduck {
  /**
   * `Deno.serve()` with the app's fetch, drained on SIGTERM: `server.shutdown()` after the drain
   * delay waits for requests in flight. Deno cannot cut a request, so one still running at the
   * drain timeout ends with the process (after the cleanup hooks, exit code 1).
   * `port` defaults to `PORT`, else 8080; `hostname` to Deno's (every interface).
   * Needs `--allow-net` and `--allow-env`.
   */
  listen(app: HonoApp, options?: { port?: number; hostname?: string }): DenoServer;
}

/** Creates the lifecycle for a Hono app on Deno. Options: the other adapters' (`drainDelayMs`, …). */
export function createLameduck(options: RuntimeLameduckOptions = {}): DenoLameduck {
  const { lameduck, wrapFetch, addServer } = createRuntimeLameduck(options, {
    onSignal(signal, listener) {
      Deno.addSignalListener(signal as DenoSignal, listener);
      return () => Deno.removeSignalListener(signal as DenoSignal, listener);
    },
    exit: (code) => Deno.exit(code),
    env: (name) => Deno.env.get(name),
  });
  return extendLifecycle(lameduck, {
    listen(app: HonoApp, { port, hostname }: { port?: number; hostname?: string } = {}) {
      const server = Deno.serve(
        {
          port: port ?? portFromEnv(Deno.env.get('PORT')),
          ...(hostname === undefined ? {} : { hostname }),
          onListen: (address) => lameduck.logger.info(`listening on ${address.hostname}:${address.port}`),
        },
        wrapFetch(app.fetch as (request: Request, info: unknown) => Response | Promise<Response>),
      );
      addServer({ stop: () => server.shutdown(), forceStop: async () => {} });
      return server;
    },
  });
}
