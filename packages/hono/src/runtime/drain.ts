// The drain sequence for fetch runtimes with their own server (Bun.serve, Deno.serve): the
// Node engine's contract, on a server that can only stop accepting and wait for its requests.
import {
  createLameduck as createLifecycle,
  extendLifecycle,
  type HookFunction,
  HookList,
  type HookOptions,
  LameduckConfigError,
  runCleanupPhase,
  runHook,
} from '@lameduck/core';
import type { FetchLameduck } from '../fetch.js';
import { probeMiddleware } from '../middleware.js';
import { type RuntimeDrainSettings, type RuntimeLameduckOptions, resolveRuntimeOptions } from './options.js';

/** What a runtime gives the drain: its signals, its exit, its environment. */
export interface Runtime {
  onSignal(signal: string, listener: () => void): () => void;
  exit(code: number): void;
  env(name: string): string | undefined;
}

/** A runtime's server as the drain drives it. */
export interface DrainableServer {
  /** Stops accepting connections; resolves once every request in flight has its response. */
  stop(): Promise<void>;
  /** Cuts what is left (where the runtime can). */
  forceStop(): Promise<void>;
}

export interface ShutdownResult {
  readonly forced: boolean;
  readonly failedHooks: number;
  readonly exitCode: 0 | 1;
  readonly durationMs: number;
}

export interface RuntimeLameduck extends FetchLameduck {
  /** Runs as soon as the drain starts, alongside the drain delay: end streams, stop consumers. */
  onDrainStart(name: string, fn: HookFunction, options?: HookOptions): () => void;
  /** Runs after the last response, newest first, one at a time: close the pool. */
  onCleanup(name: string, fn: HookFunction, options?: HookOptions): () => void;
  /** Runs the drain once (readiness 503, delay, stop, in-flight, cleanup); later calls share it. */
  shutdown(reason?: string): Promise<ShutdownResult>;
  /** Requests whose handler has not returned yet. */
  readonly inFlight: number;
  readonly settings: RuntimeDrainSettings;
  /** Removes lameduck's signal listeners. */
  dispose(): void;
}

/** The lifecycle plus the glue a runtime's `listen()` needs: a fetch wrapper and a server list. */
export function createRuntimeLameduck(options: RuntimeLameduckOptions, runtime: Runtime) {
  const { model, settings } = resolveRuntimeOptions(options, (name) => runtime.env(name));
  const lifecycle = createLifecycle(model);
  const logger = lifecycle.logger;
  const deadline = new AbortController();
  const drainStarted = new AbortController();
  const drainStartHooks = new HookList('drain-start', settings.hookTimeoutMs);
  const cleanupHooks = new HookList('cleanup', settings.hookTimeoutMs);
  const servers: DrainableServer[] = [];
  let inFlight = 0;
  let draining = false;
  let running: Promise<ShutdownResult> | undefined;

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const drain = async (reason: string): Promise<ShutdownResult> => {
    const startedAt = Date.now();
    draining = true;
    lifecycle.drain(reason);
    drainStarted.abort(new Error(`the drain started (${reason})`));
    logger.info(
      `shutting down (${reason}): ${inFlight} request(s) in flight; drain delay ${settings.drainDelayMs} ms, drain timeout ${settings.drainTimeoutMs} ms`,
    );
    // 1. Early notice and the drain delay, side by side: traffic still arrives while endpoints propagate.
    const early = Promise.all(
      drainStartHooks
        .list()
        .map((hook) => runHook(hook, 'drain-start', logger, Date.now, { logSuccess: false })),
    );
    await Promise.all([early, sleep(settings.drainDelayMs)]);
    // 2. Stop accepting; wait for in-flight requests up to the drain timeout.
    const stopped = Promise.all(servers.map((server) => server.stop())).then(() => 'stopped' as const);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), settings.drainTimeoutMs);
    });
    logger.info(`stopped accepting connections; waiting for ${inFlight} request(s) in flight`);
    const forced = (await Promise.race([stopped, timeout])) === 'timeout';
    clearTimeout(timer);
    if (forced) {
      logger.warn(
        `drain timeout reached: forcing the drain, ${inFlight} request(s) in flight will be cut off`,
      );
      deadline.abort();
      await Promise.all(servers.map((server) => server.forceStop()));
    } else {
      logger.info(`all requests answered ${Date.now() - startedAt} ms after the shutdown started`);
    }
    // 3. Cleanup, newest first, one at a time, inside the budget they share (as on Node).
    const cleaned = await runCleanupPhase(cleanupHooks.list(), settings.cleanupTimeoutMs, logger, Date.now);
    const failedHooks = [...(await early), ...cleaned].filter((outcome) => !outcome.ok).length;
    lifecycle.close('shutdown complete');
    const exitCode = forced || failedHooks > 0 ? 1 : 0;
    const durationMs = Date.now() - startedAt;
    const summary = `shutdown complete in ${durationMs} ms: forced ${forced ? 'yes' : 'no'}, ${failedHooks} failed hook(s), exit code ${exitCode}`;
    if (exitCode === 0) logger.info(summary);
    else logger.warn(summary);
    return { forced, failedHooks, exitCode, durationMs };
  };

  const shutdown = (reason = 'shutdown() called') => {
    running ??= drain(reason);
    return running;
  };

  let signalsSeen = 0;
  const stopListening = settings.signals.map((signal) =>
    runtime.onSignal(signal, () => {
      signalsSeen += 1;
      if (signalsSeen > 1) {
        if (signal === 'SIGINT') {
          logger.warn('SIGINT received again: exiting now');
          runtime.exit(1);
        } else logger.warn(`${signal} received again; ignored (one shutdown at a time)`);
        return;
      }
      shutdown(signal).then(
        (result) => settings.exitOnSignal && runtime.exit(result.exitCode),
        () => settings.exitOnSignal && runtime.exit(1),
      );
    }),
  );

  const deadlineSignal = deadline.signal;
  const drainSignal = drainStarted.signal;
  const middleware = probeMiddleware(lifecycle, deadlineSignal, drainSignal);
  const lameduck: RuntimeLameduck = extendLifecycle(lifecycle, {
    deadlineSignal,
    drainSignal,
    middleware: () => middleware,
    onDrainStart: (name: string, fn: HookFunction, hookOptions?: HookOptions) =>
      drainStartHooks.add(name, fn, hookOptions).remove,
    onCleanup: (name: string, fn: HookFunction, hookOptions?: HookOptions) =>
      cleanupHooks.add(name, fn, hookOptions).remove,
    shutdown,
    get inFlight() {
      return inFlight;
    },
    settings,
    dispose() {
      for (const stop of stopListening) stop();
    },
  });

  if (settings.signals.length > 0) {
    logger.info(
      `draining on ${settings.signals.join(', ')}: drain delay ${settings.drainDelayMs} ms, drain timeout ${settings.drainTimeoutMs} ms, hook timeout ${settings.hookTimeoutMs} ms`,
    );
  }

  return {
    lameduck,
    /** Counts requests in flight and, once draining, asks every client to close its connection. */
    wrapFetch<A extends unknown[]>(fetch: (request: Request, ...rest: A) => Response | Promise<Response>) {
      return async (request: Request, ...rest: A): Promise<Response> => {
        inFlight += 1;
        try {
          const response = await fetch(request, ...rest);
          return draining ? withConnectionClose(response) : response;
        } finally {
          inFlight -= 1;
        }
      };
    },
    addServer(server: DrainableServer) {
      if (draining) {
        throw new LameduckConfigError('listen() called after the shutdown started; listen at startup');
      }
      servers.push(server);
    },
  };
}

/** The same response with `Connection: close` (a copy when its headers are immutable, as fetch()'s are). */
function withConnectionClose(response: Response): Response {
  try {
    response.headers.set('connection', 'close');
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set('connection', 'close');
    return copy;
  }
}
