import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import {
  createLameduck,
  ENVIRONMENT,
  KUBERNETES_VARIABLE,
  type Lameduck,
  LameduckConfigError,
  type LameduckOptions,
} from '../index.js';
import { checkBudget } from './budget.js';
import { ServerTracker } from './connections.js';
import { CRASH_DRAIN_TIMEOUT_MS, describeCrash, listenForCrashes } from './crash.js';
import { diagnosticsFor } from './diagnostics.js';
import { exitProcess } from './exit.js';
import { type HookFunction, HookList, type HookOptions } from './hooks.js';
import {
  type DrainSettings,
  NODE_OPTION_NAMES,
  type NodeLameduckOptions,
  resolveNodeOptions,
} from './options.js';
import { handleProbe } from './probe-handler.js';
import { type AttachableServer, serverKind } from './server-kind.js';
import { type Shutdown, type ShutdownResult, startShutdown, type UpgradedSocketsHook } from './shutdown.js';
import { listenForSignals } from './signals.js';
import { ATTACH_ADVICE, countUntrackedServers } from './untracked-servers.js';
import { describeThrown } from './validate.js';

export interface ShutdownOptions {
  /** Exit the process afterwards with the result's exit code. Default false. */
  exit?: boolean;
}

/** A lifecycle (see `Lameduck`) bound to Node servers and to the process's signals. */
export interface NodeLameduck extends Lameduck {
  check(...args: Parameters<Lameduck['check']>): NodeLameduck;
  /**
   * Starts the shutdown (like a signal, without exiting) and returns true; in any state but
   * `starting` and `ready` it changes nothing and returns false.
   */
  drain(reason?: string): boolean;
  /**
   * Tracks a server's connections and requests for the drain; returns the server. Attach before
   * `listen()`. Several servers (a public port and an admin port) share one lifecycle. A server
   * attached after the shutdown started (a slow startup that outlived SIGTERM) joins it: its
   * listener closes as soon as it listens. Throws a LameduckConfigError for something that is
   * not an HTTP server.
   */
  attach<S extends AttachableServer>(server: S): S;
  /**
   * Early notice: `fn` runs as soon as the drain starts (step 2 of the sequence) — end SSE
   * streams, close WebSockets, stop queue consumers. A hook added during the drain runs at once.
   * Returns a function that unregisters it.
   */
  onDrainStart(name: string, fn: HookFunction, options?: HookOptions): () => void;
  /**
   * Cleanup: `fn` runs after the last response (step 6), in reverse order of registration, one
   * at a time, each bounded by its timeout — close the database pool, flush telemetry.
   * Returns a function that unregisters it.
   */
  onCleanup(name: string, fn: HookFunction, options?: HookOptions): () => void;
  /**
   * `fn` receives every upgraded socket (WebSocket, CONNECT) still open when the listeners close,
   * and owns them: close them with the protocol's goodbye (WebSocket close code 1001). Without
   * such a hook lameduck closes them with a plain FIN.
   */
  onUpgradedSockets(name: string, fn: UpgradedSocketsHook, options?: HookOptions): () => void;
  /** Runs the drain sequence once; every later call returns the same promise. */
  shutdown(reason?: string, options?: ShutdownOptions): Promise<ShutdownResult>;
  /** Aborts when the drain deadline is reached, just before the remaining connections are destroyed. */
  readonly deadlineSignal: AbortSignal;
  /** Requests in flight across attached servers (HTTP/1 responses not finished, HTTP/2 streams open). */
  readonly inFlight: number;
  /** Open connections across attached servers. */
  readonly connections: number;
  /** The resolved drain settings, every default applied. */
  readonly settings: DrainSettings;
  /** Answers the request if it is a probe (`/livez`, `/readyz`, `/startupz`); returns false otherwise. */
  handleProbe(
    request: IncomingMessage | Http2ServerRequest,
    response: ServerResponse | Http2ServerResponse,
  ): boolean;
  /** Removes lameduck's signal listeners. Servers stay attached. */
  dispose(): void;
}

/**
 * Creates a lifecycle with the drain engine. Listens for the configured signals from this call
 * on (never at import): the first starts the shutdown documented at `startShutdown`, a repeated
 * SIGTERM is logged and ignored, a repeated SIGINT forces the exit.
 */
export function createNodeLameduck(options: NodeLameduckOptions = {}): NodeLameduck {
  const { core: coreOptions, settings, warnings } = resolveNodeOptions(options, process.env);
  const core = createCore(coreOptions);
  const logger = core.logger;
  for (const warning of warnings) logger.warn(warning);
  const now = coreOptions.now ?? Date.now;
  const trackers = new Map<AttachableServer, ServerTracker>();
  const drainStartHooks = new HookList('drain-start', settings.hookTimeoutMs);
  const cleanupHooks = new HookList('cleanup', settings.hookTimeoutMs);
  const upgradedHooks = new HookList<UpgradedSocketsHook>('upgraded', settings.hookTimeoutMs);
  const deadline = new AbortController();
  let running: Shutdown | undefined;
  let cleanupStarted = false;
  let exitRequested = false;
  let signalsSeen = 0;

  const budget = () =>
    checkBudget({
      drainDelayMs: settings.drainDelayMs,
      drainTimeoutMs: settings.drainTimeoutMs,
      drainStartHooks: drainStartHooks.list(),
      upgradedHooks: upgradedHooks.list(),
      cleanupHooks: cleanupHooks.list(),
      gracePeriodMs: settings.gracePeriodMs,
      gracePeriodSource: settings.gracePeriodSource,
    });
  budget();

  const start = (
    reason: string,
    signal?: NodeJS.Signals,
    drainTimeoutMs = settings.drainTimeoutMs,
  ): Shutdown => {
    if (running !== undefined) return running;
    running = startShutdown(
      {
        lifecycle: core,
        logger,
        now,
        drainDelayMs: settings.drainDelayMs,
        drainTimeoutMs,
        servers: () => [...trackers.values()],
        drainStartHooks: () => drainStartHooks.list(),
        upgradedHooks: () => upgradedHooks.list(),
        cleanupHooks: () => cleanupHooks.list(),
        deadline,
        onCleanupStart: () => {
          cleanupStarted = true;
        },
        untrackedServers: () => countUntrackedServers(trackers.keys()),
        onPhase: (event) => publish.shutdown(event),
      },
      signal === undefined ? { reason } : { reason, signal },
    );
    running.result.then(
      (result) => publish.shutdown({ phase: 'done', at: now(), result }),
      () => {},
    );
    // Once closed, a later signal should do what it does to any process (unless we exit anyway).
    const afterwards = () => {
      if (!exitRequested) stopListening();
    };
    running.result.then(afterwards, afterwards);
    return running;
  };

  const exitAfter = (shutdown: Shutdown, signal?: NodeJS.Signals) => {
    if (exitRequested || settings.exitOnSignal === false) return;
    exitRequested = true;
    const mode = settings.exitOnSignal;
    shutdown.result
      .then(
        (result) => result.exitCode,
        // A bug in the drain must not leave a process that ignores SIGTERM until SIGKILL.
        (error: unknown) => {
          logger.error(`the shutdown failed: ${describeThrown(error)}`);
          return 1;
        },
      )
      .then((exitCode) => {
        stopListening();
        exitNow(mode, exitCode, signal);
      });
  };

  const onSignal = (signal: NodeJS.Signals) => {
    signalsSeen += 1;
    if (running === undefined) {
      exitAfter(start(signal, signal), signal);
      return;
    }
    const sinceMs = now() - running.startedAt;
    if (signalsSeen === 1) {
      // The drain was started by shutdown(): a signal now means the platform wants the process gone.
      logger.info(
        `${signal} received ${sinceMs} ms into a shutdown already running; the process exits after it`,
      );
      exitAfter(running, signal);
      return;
    }
    if (signal === 'SIGINT') {
      running.force(`SIGINT received again ${sinceMs} ms into the shutdown`);
      if (settings.exitOnSignal !== false) {
        stopListening();
        exitNow(settings.exitOnSignal, 1, signal);
      }
      return;
    }
    logger.warn(
      `${signal} received again ${sinceMs} ms into the shutdown; ignored (one shutdown at a time; a second SIGINT forces exit), ${lameduck.inFlight} request(s) in flight`,
    );
  };
  const stopSignals = listenForSignals(process, settings.signals, onSignal);
  let stopCrashes = () => {};
  const stopListening = () => {
    stopSignals();
    stopCrashes();
  };

  if (settings.onUncaughtException === 'drain') {
    let crashed = false;
    stopCrashes = listenForCrashes(process, (error, origin) => {
      logger.error(describeCrash(error, origin));
      if (crashed) return;
      crashed = true;
      const shutdown = start(
        origin === 'unhandledRejection' ? 'unhandled rejection' : 'uncaught exception',
        undefined,
        Math.min(settings.drainTimeoutMs, CRASH_DRAIN_TIMEOUT_MS),
      );
      // Whatever the drain's outcome, a process that crashed exits 1: its state is unknown.
      const exit = () => {
        stopListening();
        exitNow('code', 1);
      };
      exitRequested = true;
      shutdown.result.then(exit, exit);
    });
  }

  const sumOver = (pick: (tracker: ServerTracker) => number) =>
    [...trackers.values()].reduce((total, tracker) => total + pick(tracker), 0);

  const lameduck: NodeLameduck = {
    get state() {
      return core.state;
    },
    get history() {
      return core.history;
    },
    paths: core.paths,
    logger,
    check(name, fn, checkOptions) {
      core.check(name, fn, checkOptions);
      return lameduck;
    },
    removeCheck: (name) => core.removeCheck(name),
    ready(reason) {
      const changed = core.ready(reason);
      if (changed) warnIfUnattached();
      return changed;
    },
    drain(reason = 'drain() called') {
      if (core.state !== 'starting' && core.state !== 'ready') return core.drain(reason);
      void lameduck.shutdown(reason);
      return true;
    },
    close: (reason) => core.close(reason),
    on: (event, listener) => core.on(event, listener),
    probe: (kind, query) => core.probe(kind, query),
    respond: (request) => core.respond(request),
    isProbePath: (target) => core.isProbePath(target),
    attach(server) {
      const kind = serverKind(server);
      if (trackers.has(server)) return server;
      const tracker = new ServerTracker(server, kind, settings.idleGraceMs);
      trackers.set(server, tracker);
      if (running !== undefined) running.join(tracker);
      return server;
    },
    onDrainStart(name, fn, hookOptions) {
      const { hook, remove } = drainStartHooks.add(name, fn, hookOptions);
      withBudget(remove);
      // Registered during the drain (an SSE stream opened in the delay): told at once.
      if (running !== undefined) running.notifyLate(hook);
      return remove;
    },
    onCleanup(name, fn, hookOptions) {
      if (cleanupStarted) {
        throw new LameduckConfigError(
          `onCleanup("${name}") called after the cleanup step started; register cleanup hooks at startup`,
        );
      }
      const { remove } = cleanupHooks.add(name, fn, hookOptions);
      withBudget(remove);
      return remove;
    },
    onUpgradedSockets(name, fn, hookOptions) {
      const { remove } = upgradedHooks.add(name, fn, hookOptions);
      withBudget(remove);
      return remove;
    },
    shutdown(reason = 'shutdown() called', shutdownOptions = {}) {
      if (shutdownOptions === null || typeof shutdownOptions !== 'object') {
        throw new LameduckConfigError('shutdown() options must be an object like { exit: true }');
      }
      const shutdown = start(reason);
      if (shutdownOptions.exit === true) {
        const exit = (exitCode: number) => {
          stopListening();
          exitNow('code', exitCode);
        };
        shutdown.result.then(
          (result) => exit(result.exitCode),
          () => exit(1),
        );
      }
      return shutdown.result;
    },
    deadlineSignal: deadline.signal,
    get inFlight() {
      return sumOver((tracker) => tracker.inFlight);
    },
    get connections() {
      return sumOver((tracker) => tracker.connections);
    },
    settings,
    handleProbe: (request, response) => handleProbe(core, request, response),
    dispose() {
      stopListening();
    },
  };

  // Diagnostics channels: state changes, fresh check results and the shutdown's steps.
  const publish = diagnosticsFor(lameduck);
  core.on('state', publish.state);
  core.on('check', publish.check);
  function exitNow(mode: 'code' | 'reraise', exitCode: number, signal?: NodeJS.Signals) {
    publish.shutdown({ phase: 'exit', at: now(), exitCode, ...(signal === undefined ? {} : { signal }) });
    exitProcess(process, logger, mode, exitCode, signal);
  }

  // app.listen() instead of lameduck.listen(app) drains nothing: say so while it can be fixed.
  function warnIfUnattached() {
    if (trackers.size === 0) {
      logger.warn(
        `ready() called with no server attached: SIGTERM will not drain any request; ${ATTACH_ADVICE}`,
      );
      return;
    }
    const untracked = countUntrackedServers(trackers.keys());
    if (untracked > 0) {
      logger.warn(
        `${untracked} listening server(s) are not attached: SIGTERM will not drain their requests; ${ATTACH_ADVICE}`,
      );
    }
  }

  // A hook that makes the shutdown outlast the grace period is refused at registration.
  function withBudget(remove: () => void) {
    try {
      budget();
    } catch (error) {
      remove();
      throw error;
    }
  }

  if (settings.signals.length > 0) {
    const delay = `${settings.drainDelayMs} ms${DELAY_SOURCES[settings.drainDelaySource]}`;
    logger.info(
      `draining on ${settings.signals.join(', ')}: drain delay ${delay}, drain timeout ${settings.drainTimeoutMs} ms, hook timeout ${settings.hookTimeoutMs} ms`,
    );
  }
  return lameduck;
}

/** How the startup line says where the drain delay came from. */
const DELAY_SOURCES: Record<DrainSettings['drainDelaySource'], string> = {
  environment: ` (${ENVIRONMENT.drainDelayMs.variable})`,
  option: ' (drainDelayMs)',
  kubernetes: ` (the in-cluster default: ${KUBERNETES_VARIABLE} is set and ${ENVIRONMENT.drainDelayMs.variable} is not)`,
  default: '',
};

function createCore(options: LameduckOptions): Lameduck {
  try {
    return createLameduck(options);
  } catch (error) {
    if (error instanceof LameduckConfigError && error.message.startsWith('unknown option')) {
      throw new LameduckConfigError(
        `${error.message}; createNodeLameduck also takes ${NODE_OPTION_NAMES.join(', ')}`,
      );
    }
    throw error;
  }
}
