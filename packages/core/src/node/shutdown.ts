import type { Lameduck, Logger } from '../index.js';
import type { ServerTracker, UpgradedSocket } from './connections.js';
import { endGracefully, IDLE_GRACE_MS } from './connections.js';
import type { ShutdownPhaseEvent } from './diagnostics.js';
import { type Hook, type HookOutcome, runHook } from './hooks.js';
import { ATTACH_ADVICE } from './untracked-servers.js';

/** Given every upgraded socket still open when the listeners close; owns them from then on. */
export type UpgradedSocketsHook = (sockets: readonly UpgradedSocket[], signal: AbortSignal) => unknown;

/** What a shutdown did, for logs, metrics and tests. Every duration is in ms. */
export interface ShutdownResult {
  /** Why it started: the signal's name, or the reason given to shutdown(). */
  readonly reason: string;
  /** The signal that started it, if one did. */
  readonly signal?: NodeJS.Signals;
  /** When it started, in ms since the epoch. */
  readonly startedAt: number;
  /** From the start to the end of the cleanup hooks. */
  readonly durationMs: number;
  /** How long the listeners stayed open after the start (the drain delay, or less if forced). */
  readonly drainDelayMs: number;
  /** From closing the listeners to the last connection closing, or to the deadline. */
  readonly drainMs: number;
  /** Time spent in cleanup hooks. */
  readonly cleanupMs: number;
  /** Requests in flight and connections open when the shutdown started. */
  readonly inFlightAtStart: number;
  readonly connectionsAtStart: number;
  /** Connections still open at the deadline (or at a forced exit), destroyed. 0 for a clean drain. */
  readonly destroyedConnections: number;
  /** Requests still in flight on those connections: cut off. */
  readonly abandonedRequests: number;
  /** True when the deadline (or a second SIGINT) cut the drain short. */
  readonly forced: boolean;
  /** Hooks that threw, rejected or timed out. */
  readonly failedHooks: readonly HookOutcome[];
  /**
   * Servers listening in this process that were never attached, when the shutdown started: their
   * requests were not drained, so the shutdown is not clean.
   */
  readonly untrackedServers: number;
  /** 0 for a clean drain, 1 when anything was forced or failed, or a server was not attached. */
  readonly exitCode: 0 | 1;
}

export interface ShutdownTrigger {
  readonly reason: string;
  readonly signal?: NodeJS.Signals;
}

export interface ShutdownContext {
  readonly lifecycle: Lameduck;
  readonly logger: Logger;
  readonly now: () => number;
  readonly drainDelayMs: number;
  readonly drainTimeoutMs: number;
  readonly servers: () => readonly ServerTracker[];
  readonly drainStartHooks: () => readonly Hook[];
  readonly upgradedHooks: () => readonly Hook<UpgradedSocketsHook>[];
  readonly cleanupHooks: () => readonly Hook[];
  /** Aborted at the drain deadline; handed to request handlers by adapters. */
  readonly deadline: AbortController;
  /** Called when the cleanup step begins: hooks registered later cannot join it. */
  readonly onCleanupStart: () => void;
  /** Listening servers in the process that were never attached (see `countUntrackedServers`). */
  readonly untrackedServers?: () => number;
  /** Told at each step (start, delay end, listeners closed, drained or forced, each hook): diagnostics. */
  readonly onPhase?: (event: ShutdownPhaseEvent) => void;
}

export interface Shutdown {
  readonly startedAt: number;
  readonly result: Promise<ShutdownResult>;
  /** Skips what is left of the delay and the drain: destroys every connection now. */
  force(why: string): void;
  /** Runs an early-notice hook registered after the start (an SSE stream opened during the delay). */
  notifyLate(hook: Hook): void;
}

/**
 * Shutdown drains the servers attached to the lifecycle and closes it, without dropping a
 * request that the servers have accepted. It is what SIGTERM runs, and what `shutdown()` runs.
 *
 *  1. The lifecycle goes to `draining` at once, before this function returns: readiness probes
 *     answer 503 from the same event-loop turn as the signal, liveness keeps answering 200.
 *  2. From that moment every HTTP/1 response carries `Connection: close` — responses already in
 *     progress too, if their headers have not left — and each socket closes after its response.
 *     This is done on Node's own request event, so every framework gets it with no code.
 *     Early-notice hooks (`onDrainStart`) are called now, together, to end SSE streams, close
 *     WebSockets or stop consumers.
 *  3. For `drainDelayMs` nothing else changes: the listeners stay open and new connections are
 *     served (with `Connection: close`), because load balancers keep sending traffic for a few
 *     seconds after Kubernetes removes the endpoint.
 *  4. Then the listeners close. Idle keep-alive sockets and sockets that never sent a request
 *     (including TLS handshakes in progress) are closed — except those active within the last
 *     IDLE_GRACE_MS (1 s), which get the rest of that second to send one last request, answered
 *     with `Connection: close`, so a busy client never races the close; busy sockets close after their current
 *     response; HTTP/2 sessions get GOAWAY and finish their open streams. Upgraded sockets
 *     (WebSocket, CONNECT) are given to the `onUpgradedSockets` hooks, or closed (FIN) if there
 *     are none: lameduck does not speak their protocol.
 *  5. It waits up to `drainTimeoutMs` for every connection to close. At that deadline
 *     `deadlineSignal` aborts and every connection still open is destroyed, mid-request or not,
 *     and the shutdown counts as forced. A second SIGINT skips to this point at once.
 *  6. Cleanup hooks (`onCleanup`) run after the last response: one at a time, in reverse order
 *     of registration, each bounded by its own timeout. A hook that throws or times out is
 *     logged and the next one still runs. Early-notice and upgraded-socket hooks still pending
 *     are waited for first, each within its own timeout.
 *  7. The lifecycle goes to `closed`. The result says what happened; its exit code is 0 for a
 *     clean drain and 1 if anything was forced or any hook failed.
 *
 * Only sockets seen by an attached server are tracked: attach servers before they listen.
 * Shutdown never calls `process.exit`; the signal handler does that afterwards when configured.
 * Connections are tracked by lameduck itself, not by `server.close()`'s callback, so the drain
 * behaves the same on every supported Node version.
 */
export function startShutdown(context: ShutdownContext, trigger: ShutdownTrigger): Shutdown {
  const { lifecycle, logger, now } = context;
  const startedAt = now();
  const servers = context.servers();
  const inFlightAtStart = sum(servers.map((server) => server.inFlight));
  const connectionsAtStart = sum(servers.map((server) => server.connections));
  const forcing = new AbortController();
  const untrackedServers = context.untrackedServers?.() ?? 0;
  if (untrackedServers > 0) {
    logger.error(
      `${untrackedServers} listening server(s) are not attached to lameduck: their requests are not drained and will be cut at exit; ${ATTACH_ADVICE}`,
    );
  }

  // Steps 1 and 2 happen now, synchronously, in the signal's own event-loop turn.
  if (lifecycle.state === 'starting' || lifecycle.state === 'ready') lifecycle.drain(trigger.reason);
  for (const server of servers) server.startDraining();
  logger.info(
    `shutting down (${trigger.reason}): ${inFlightAtStart} request(s) in flight on ${connectionsAtStart} connection(s)` +
      ` across ${servers.length} server(s); listeners stay open for the ${context.drainDelayMs} ms drain delay` +
      ` with Connection: close on every response, then up to ${context.drainTimeoutMs} ms for requests to finish`,
    { phase: 'start', reason: trigger.reason, inFlight: inFlightAtStart, connections: connectionsAtStart },
  );
  context.onPhase?.({
    phase: 'start',
    at: startedAt,
    ...trigger,
    inFlight: inFlightAtStart,
    connections: connectionsAtStart,
  });
  const earlyNotice: Promise<HookOutcome>[] = runAll(context.drainStartHooks(), context);

  const result = (async (): Promise<ShutdownResult> => {
    // Step 3: the drain delay.
    const delayStartedAt = now();
    if (context.drainDelayMs > 0) await wait(context.drainDelayMs, forcing.signal);
    const drainDelayMs = now() - delayStartedAt;
    context.onPhase?.({
      phase: 'delay-end',
      at: now(),
      durationMs: drainDelayMs,
      cutShort: forcing.signal.aborted,
    });

    // Step 4: stop accepting.
    const closedAt = now();
    const reports = servers.map((server) => server.stopAccepting());
    const upgraded = reports.flatMap((report) => report.upgraded);
    logger.info(
      `${forcing.signal.aborted ? 'drain delay cut short' : 'drain delay over'} after ${drainDelayMs} ms: listeners closed;` +
        ` closed ${sum(reports.map((r) => r.idleClosed))} idle connection(s),` +
        ` ${sum(reports.map((r) => r.idleInGrace))} recently active idle connection(s) get up to ${IDLE_GRACE_MS} ms for a last request,` +
        ` ${sum(reports.map((r) => r.busy))} busy connection(s) close after their response,` +
        ` ${sum(reports.map((r) => r.sessions))} HTTP/2 session(s) sent GOAWAY,` +
        ` ${upgraded.length} upgraded socket(s) ${context.upgradedHooks().length > 0 ? 'handed to hooks' : 'closed'};` +
        ` ${inFlight(servers)} request(s) in flight`,
      { phase: 'listeners-closed', durationMs: drainDelayMs, inFlight: inFlight(servers) },
    );
    context.onPhase?.({
      phase: 'listeners-closed',
      at: closedAt,
      inFlight: inFlight(servers),
      connections: sum(servers.map((server) => server.connections)),
    });
    const upgradedHandled = handUpgraded(upgraded, context);

    // Step 5: wait for the last connection, up to the deadline.
    const drained = Promise.all(servers.map((server) => server.whenEmpty())).then(() => 'drained' as const);
    let forced = forcing.signal.aborted;
    let destroyedConnections = 0;
    let abandonedRequests = 0;
    const outcome = forced
      ? 'forced'
      : await Promise.race([
          drained,
          wait(context.drainTimeoutMs, forcing.signal).then(() => 'deadline' as const),
        ]);
    if (outcome !== 'drained') {
      forced = true;
      context.deadline.abort(new Error('the drain deadline was reached'));
      const destroyed = servers.map((server) => server.destroyAll());
      destroyedConnections = sum(destroyed.map((report) => report.connections));
      abandonedRequests = sum(destroyed.map((report) => report.requests));
      logger.error(
        forcing.signal.aborted
          ? `drain forced after ${now() - closedAt} ms: destroyed ${destroyedConnections} connection(s) with ${abandonedRequests} request(s) in flight`
          : `drain timeout of ${context.drainTimeoutMs} ms reached: destroyed ${destroyedConnections} connection(s) with ${abandonedRequests} request(s) still in flight`,
        { phase: 'forced', durationMs: now() - closedAt, destroyedConnections, abandonedRequests },
      );
      context.onPhase?.({
        phase: 'forced',
        at: now(),
        durationMs: now() - closedAt,
        destroyedConnections,
        abandonedRequests,
      });
      // Destroyed sockets close on the next ticks; wait for that, briefly, so cleanup hooks run
      // after every response object is gone.
      await Promise.race([drained, wait(1000)]);
    } else {
      logger.info(`all connections closed ${now() - closedAt} ms after the listeners closed`, {
        phase: 'drained',
        durationMs: now() - closedAt,
      });
      context.onPhase?.({ phase: 'drained', at: now(), durationMs: now() - closedAt });
    }
    const drainMs = now() - closedAt;

    // Step 6: hooks.
    const notified = [...(await Promise.all(earlyNotice)), ...(await upgradedHandled)];
    context.onCleanupStart();
    const cleanupStartedAt = now();
    const cleaned: HookOutcome[] = [];
    for (const hook of [...context.cleanupHooks()].reverse()) {
      cleaned.push(tellHook(context, await runHook(hook, 'cleanup', logger, now)));
    }
    const cleanupMs = now() - cleanupStartedAt;

    // Step 7: closed.
    const failedHooks = [...notified, ...cleaned].filter((hook) => !hook.ok);
    const exitCode = forced || failedHooks.length > 0 || untrackedServers > 0 ? 1 : 0;
    if (lifecycle.state === 'draining') lifecycle.close(forced ? 'drain forced' : 'drained');
    const durationMs = now() - startedAt;
    const untracked =
      untrackedServers > 0 ? `, ${untrackedServers} server(s) not attached (not drained)` : '';
    const summary = `shutdown ${exitCode === 0 ? 'complete' : 'finished with problems'} in ${durationMs} ms: forced ${forced ? 'yes' : 'no'}, ${failedHooks.length} failed hook(s)${untracked}, exit code ${exitCode}`;
    const fields = { phase: 'done', durationMs, forced, failedHooks: failedHooks.length, exitCode };
    if (exitCode === 0) logger.info(summary, fields);
    else logger.warn(summary, fields);
    return {
      reason: trigger.reason,
      ...(trigger.signal === undefined ? {} : { signal: trigger.signal }),
      startedAt,
      durationMs,
      drainDelayMs,
      drainMs,
      cleanupMs,
      inFlightAtStart,
      connectionsAtStart,
      destroyedConnections,
      abandonedRequests,
      forced,
      failedHooks,
      untrackedServers,
      exitCode,
    };
  })();

  return {
    startedAt,
    result,
    force(why) {
      if (forcing.signal.aborted) return;
      logger.warn(`${why}: forcing the drain, ${inFlight(servers)} request(s) in flight will be cut off`);
      forcing.abort(new Error(why));
    },
    notifyLate(hook) {
      earlyNotice.push(
        runHook(hook, 'drain-start', logger, now, { logSuccess: false }).then((outcome) =>
          tellHook(context, outcome),
        ),
      );
    },
  };
}

/** Early-notice hooks all start now, together; none waits for another. */
function runAll(hooks: readonly Hook[], context: ShutdownContext): Promise<HookOutcome>[] {
  if (hooks.length > 0)
    context.logger.info(`telling ${hooks.length} early-notice hook(s) that the drain started`);
  return hooks.map((hook) =>
    runHook(hook, 'drain-start', context.logger, context.now, { logSuccess: false }).then((outcome) =>
      tellHook(context, outcome),
    ),
  );
}

function handUpgraded(upgraded: readonly UpgradedSocket[], context: ShutdownContext): Promise<HookOutcome[]> {
  if (upgraded.length === 0) return Promise.resolve([]);
  const hooks = context.upgradedHooks();
  if (hooks.length === 0) {
    for (const { socket } of upgraded) endGracefully(socket);
    return Promise.resolve([]);
  }
  return Promise.all(
    hooks.map((hook) =>
      runHook(
        { name: hook.name, timeoutMs: hook.timeoutMs, fn: (signal) => hook.fn(upgraded, signal) },
        'upgraded',
        context.logger,
        context.now,
      ).then((outcome) => tellHook(context, outcome)),
    ),
  );
}

function tellHook(context: ShutdownContext, outcome: HookOutcome): HookOutcome {
  context.onPhase?.({ phase: 'hook', at: context.now(), hook: outcome });
  return outcome;
}

function inFlight(servers: readonly ServerTracker[]): number {
  return sum(servers.map((server) => server.inFlight));
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

/** Resolves after `ms`, or as soon as `signal` aborts; never rejects. */
function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
