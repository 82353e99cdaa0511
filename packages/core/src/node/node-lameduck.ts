import { describeValue } from '../describe.js';
import type { HookFunction, HookOptions } from '../hooks.js';
import {
  createLameduck,
  ENVIRONMENT,
  extendLifecycle,
  KUBERNETES_VARIABLE,
  type Lameduck,
  LameduckConfigError,
} from '../index.js';
import { internalsOf } from '../internals.js';
import { isProbeTarget } from '../paths.js';
import { sum } from '../sum.js';
import { TrackedWork } from '../tracked-work.js';
import { afterShutdownError } from './after-shutdown.js';
import { ServerTracker } from './connections.js';
import { diagnosticsFor } from './diagnostics.js';
import { EngineHooks } from './engine-hooks.js';
import { applyKeepAliveTimeout } from './keep-alive-timeout.js';
import { type DrainSettings, type NodeLameduckOptions, resolveNodeOptions } from './options.js';
import { bindToProcess } from './process-binding.js';
import { type AttachableServer, serverKind } from './server-kind.js';
import { type Shutdown, type ShutdownResult, startShutdown, type UpgradedSocketsHook } from './shutdown.js';
import { ATTACH_ADVICE, countUntrackedServers } from './untracked-servers.js';
import type { WebSocketServerLike } from './upgraded-sockets.js';

export interface ShutdownOptions {
  /** Exit the process afterwards with the result's exit code. Default false. */
  exit?: boolean;
}

/** A lifecycle (see `Lameduck`) with the drain engine: bound to Node servers and to the process's signals. */
export interface NodeLameduck extends Lameduck {
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
   * not an HTTP server, and once the shutdown has completed (the server would never be drained).
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
  /**
   * Hands lameduck a `ws` WebSocketServer: when the listeners close,
   * each of its open clients gets `close(1001, 'going away')`, spread over
   * `webSocketCloseSpreadMs`, and the drain waits for the closing handshakes up to its deadline.
   * Without it lameduck still writes the 1001 close frame itself on every open WebSocket its
   * attached servers upgraded. Returns a function that unregisters it.
   */
  websockets(server: WebSocketServerLike): () => void;
  /**
   * Holds the cleanup step until `work` settles — a queue consumer's job, a cron run, an upload,
   * an outgoing webhook — bounded by the drain deadline: the drain waits for it as for the last
   * connection. Returns `work` as a Promise (its rejection stays yours). Work still pending at the
   * deadline is counted in the result (`abandonedWork`), logged by name, and makes the exit code 1.
   * Stop taking new work from `drainSignal`.
   */
  track<T>(work: PromiseLike<T> | T, name?: string): Promise<T>;
  /** Runs the drain sequence once; every later call returns the same promise. */
  shutdown(reason?: string, options?: ShutdownOptions): Promise<ShutdownResult>;
  /**
   * Aborts when the drain starts (SIGTERM, `shutdown()`, `drain()`), in the same turn as readiness
   * turns 503: an SSE stream or a long poll listening to it ends its response with a last event,
   * and the client reconnects elsewhere.
   */
  readonly drainSignal: AbortSignal;
  /** Aborts when the drain deadline is reached, just before the remaining connections are destroyed. */
  readonly deadlineSignal: AbortSignal;
  /** Requests in flight across attached servers (HTTP/1 responses not finished, HTTP/2 streams open). */
  readonly inFlight: number;
  /** Open connections across attached servers. */
  readonly connections: number;
  /** Work held with `track()` that has not settled yet. */
  readonly workInFlight: number;
  /** The resolved drain settings, every default applied. */
  readonly settings: DrainSettings;
  /** Removes lameduck's signal listeners. Servers stay attached. */
  dispose(): void;
}

/**
 * Creates a lifecycle with the drain engine: one object, the model's members and the engine's.
 * Listens for the configured signals from this call on (never at import); what they do is
 * `bindToProcess`'s, and the shutdown they start is documented at `startShutdown`.
 */
export function createNodeLameduck(options: NodeLameduckOptions = {}): NodeLameduck {
  const { core: coreOptions, settings, warnings } = resolveNodeOptions(options, process.env);
  const lifecycle = createLameduck(coreOptions);
  const model = internalsOf(lifecycle);
  if (model === undefined) throw new Error('unreachable: createLameduck returns a lifecycle');
  const logger = lifecycle.logger;
  for (const warning of warnings) logger.warn(warning);
  const now = coreOptions.now ?? Date.now;
  const trackers = new Map<AttachableServer, ServerTracker>();
  const hooks = new EngineHooks(settings, logger);
  const deadline = new AbortController();
  const drainStarted = new AbortController();
  const tracked = new TrackedWork();
  const webSocketServers = new Set<WebSocketServerLike>();
  let running: Shutdown | undefined;
  const isProbe = isProbeTarget(lifecycle.paths);
  const configuredKeepAlive = {
    keepAliveTimeoutMs: settings.keepAliveTimeoutMs,
    source: settings.keepAliveTimeoutSource,
  };

  const sumOver = (pick: (tracker: ServerTracker) => number) => sum([...trackers.values()].map(pick));
  // The model's transitions, which the shutdown drives; the engine's drain() starts the shutdown.
  const transitions = {
    get state() {
      return lifecycle.state;
    },
    drain: (reason: string) => model.transition('draining', reason),
    close: (reason: string) => model.transition('closed', reason),
  };

  const start = (reason: string, signal?: NodeJS.Signals, drainTimeoutMs = settings.drainTimeoutMs) => {
    if (running !== undefined) return running;
    running = startShutdown(
      {
        lifecycle: transitions,
        logger,
        now,
        drainDelayMs: settings.drainDelayMs,
        drainTimeoutMs,
        quietWindowMs: settings.quietWindowMs,
        cleanupTimeoutMs: settings.cleanupTimeoutMs,
        servers: () => [...trackers.values()],
        drainStartHooks: () => hooks.drainStart.list(),
        upgradedHooks: () => hooks.upgraded.list(),
        cleanupHooks: () => hooks.cleanup.list(),
        webSocketServers: () => [...webSocketServers],
        tracked,
        // A crash drain runs with a shorter deadline: the closes still leave half of it for the handshakes.
        webSocketCloseSpreadMs: Math.min(settings.webSocketCloseSpreadMs, Math.floor(drainTimeoutMs / 2)),
        deadline,
        onCleanupStart: () => hooks.cleanupStarted(),
        untrackedServers: () => countUntrackedServers(trackers.keys()),
        onPhase: (event) => publish.shutdown(event),
      },
      signal === undefined ? { reason } : { reason, signal },
    );
    // After startShutdown: the state is draining and every response now says Connection: close,
    // so a stream ended from this signal's listeners tells its client to go elsewhere.
    drainStarted.abort(new Error(`the drain started (${reason})`));
    const ended = () => processBinding.shutdownEnded();
    running.result.then(ended, ended);
    return running;
  };

  const processBinding = bindToProcess(settings, logger, {
    running: () => running,
    start,
    inFlight: () => sumOver((tracker) => tracker.inFlight),
    now,
    onExit: (exitCode, signal) =>
      publish.shutdown({ phase: 'exit', at: now(), exitCode, ...(signal === undefined ? {} : { signal }) }),
  });

  const lameduck: NodeLameduck = extendLifecycle(lifecycle, {
    drain(reason = 'drain() called') {
      if (lifecycle.state !== 'starting' && lifecycle.state !== 'ready') return transitions.drain(reason);
      void lameduck.shutdown(reason);
      return true;
    },
    attach<S extends AttachableServer>(server: S): S {
      const kind = serverKind(server);
      if (trackers.has(server)) return server;
      if (lifecycle.state === 'closed') throw afterShutdownError('attach()');
      applyKeepAliveTimeout(server, configuredKeepAlive, logger);
      const tracker = new ServerTracker(server, kind, settings.idleGraceMs, isProbe);
      trackers.set(server, tracker);
      if (running !== undefined) running.join(tracker);
      return server;
    },
    onDrainStart(name: string, fn: HookFunction, hookOptions?: HookOptions) {
      const { hook, remove } = hooks.addDrainStart(name, fn, hookOptions);
      // Registered during the drain (an SSE stream opened in the delay): told at once.
      if (running !== undefined) running.notifyLate(hook);
      return remove;
    },
    onCleanup: (name: string, fn: HookFunction, hookOptions?: HookOptions) =>
      hooks.addCleanup(name, fn, hookOptions),
    onUpgradedSockets: (name: string, fn: UpgradedSocketsHook, hookOptions?: HookOptions) =>
      hooks.addUpgraded(name, fn, hookOptions),
    websockets(server: WebSocketServerLike) {
      if (server === null || typeof server !== 'object' || !isIterable(server.clients)) {
        throw new LameduckConfigError(
          `websockets() takes a ws WebSocketServer (its clients is a Set), got ${describeValue(server)}; for example lameduck.websockets(new WebSocketServer({ server }))`,
        );
      }
      webSocketServers.add(server);
      return () => {
        webSocketServers.delete(server);
      };
    },
    track<T>(work: PromiseLike<T> | T, name = 'work'): Promise<T> {
      if (typeof name !== 'string' || name.length === 0 || name.length > 100) {
        throw new LameduckConfigError(
          `track(work, name): the name is for the logs, 1-100 characters, got ${describeValue(name)}; for example lameduck.track(job.run(), 'invoice job')`,
        );
      }
      return tracked.track(work, name);
    },
    shutdown(reason = 'shutdown() called', shutdownOptions: ShutdownOptions = {}) {
      if (shutdownOptions === null || typeof shutdownOptions !== 'object') {
        throw new LameduckConfigError('shutdown() options must be an object like { exit: true }');
      }
      const shutdown = start(reason);
      if (shutdownOptions.exit === true) processBinding.exitAfter(shutdown);
      return shutdown.result;
    },
    drainSignal: drainStarted.signal,
    deadlineSignal: deadline.signal,
    get inFlight() {
      return sumOver((tracker) => tracker.inFlight);
    },
    get connections() {
      return sumOver((tracker) => tracker.connections);
    },
    get workInFlight() {
      return tracked.pending;
    },
    settings,
    dispose: () => processBinding.stop(),
  });

  // Diagnostics channels: state changes, fresh check results and the shutdown's steps.
  const publish = diagnosticsFor(lameduck);
  lifecycle.on('state', publish.state);
  lifecycle.on('check', publish.check);
  // app.listen() instead of lameduck.listen(app) drains nothing: say so while it can be fixed.
  lifecycle.on('state', (change) => {
    if (change.to === 'ready') warnIfUnattached();
  });
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

  if (settings.signals.length > 0) {
    const delay = `${settings.drainDelayMs} ms${DELAY_SOURCES[settings.drainDelaySource]}`;
    const keepAlive = `${settings.keepAliveTimeoutMs} ms${KEEP_ALIVE_SOURCES[settings.keepAliveTimeoutSource]}`;
    logger.info(
      `draining on ${settings.signals.join(', ')}: drain delay ${delay}, drain timeout ${settings.drainTimeoutMs} ms, cleanup ${settings.cleanupTimeoutMs} ms (each hook at most ${settings.hookTimeoutMs} ms), keep-alive timeout ${keepAlive}`,
    );
  }
  return lameduck;
}

function isIterable(value: unknown): boolean {
  return typeof (value as { [Symbol.iterator]?: unknown } | undefined)?.[Symbol.iterator] === 'function';
}

/** How the startup line says where the drain delay came from. */
const DELAY_SOURCES: Record<DrainSettings['drainDelaySource'], string> = {
  environment: ` (${ENVIRONMENT.drainDelayMs.variable})`,
  option: ' (drainDelayMs)',
  kubernetes: ` (the in-cluster default: ${KUBERNETES_VARIABLE} is set and ${ENVIRONMENT.drainDelayMs.variable} is not)`,
  default: '',
};

/** How the startup line says where the keep-alive timeout came from. */
const KEEP_ALIVE_SOURCES: Record<DrainSettings['keepAliveTimeoutSource'], string> = {
  environment: ` (${ENVIRONMENT.keepAliveTimeoutMs.variable})`,
  option: ' (keepAliveTimeoutMs)',
  default: " (lameduck's default; a server's own longer one is kept)",
};
