import { type Hook, type HookOutcome, runCleanupPhase, runHook } from '../hooks.js';
import type { Lameduck, Logger } from '../index.js';
import {
  ACCEPT_QUEUE_WAIT_MS,
  AFTER_DESTROY_WAIT_MS,
  acceptQueueWaitMs,
  DEADLINE_MOMENT_MS,
} from '../shutdown-budget.js';
import { sum } from '../sum.js';
import type { TrackedWork } from '../tracked-work.js';
import { acceptQueued } from './accept-queue.js';
import type { ServerTracker, UpgradedSocket } from './connections.js';
import { endGracefully } from './connections.js';
import type { ShutdownPhaseEvent } from './diagnostics.js';
import { untilQuiet } from './quiet-window.js';
import { ServerCloseWatch } from './server-close.js';
import { ATTACH_ADVICE } from './untracked-servers.js';
import { closeSpread, planGoingAway, type WebSocketServerLike } from './upgraded-sockets.js';

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
  /**
   * After the delay, how long the drain waited for no new non-probe request to come for the
   * quiet window (`quietWindowMs`), inside the drain timeout. 0 when none came.
   */
  readonly quietWaitMs: number;
  /** Requests in flight and connections open when the shutdown started. */
  readonly inFlightAtStart: number;
  readonly connectionsAtStart: number;
  /** Connections still open at the deadline (or at a forced exit), destroyed. 0 for a clean drain. */
  readonly destroyedConnections: number;
  /** Requests still in flight on those connections: cut off. */
  readonly abandonedRequests: number;
  /** Work tracked with `track()` (jobs, uploads, webhooks) still pending when the shutdown started. */
  readonly trackedAtStart: number;
  /** Tracked work still pending at the deadline: the cleanup hooks ran without waiting for it. Any makes the exit code 1. */
  readonly abandonedWork: number;
  /** True when the deadline (or a second SIGINT) cut the drain short. */
  readonly forced: boolean;
  /**
   * Pipelined HTTP/1 requests read behind a response that closed their socket: their handlers
   * ran, their answers were never sent. Any makes the exit code 1.
   */
  readonly unansweredRequests: number;
  /** Connections still waiting in the accept queue when the delay ended, accepted (and served) before the listeners closed. */
  readonly acceptedAtClose: number;
  /**
   * Connections lameduck reset rather than closed with a FIN: TLS handshakes still in progress
   * when the listeners closed, and connections still in the accept queue (Linux tells) when
   * ACCEPT_QUEUE_WAIT_MS ran out.
   */
  readonly resetConnections: number;
  /** Hooks that threw, rejected or timed out. */
  readonly failedHooks: readonly HookOutcome[];
  /**
   * Servers listening in this process that were never attached, when the shutdown started: their
   * requests were not drained. With no server attached at all, the shutdown is not clean.
   */
  readonly untrackedServers: number;
  /**
   * 0 for a clean drain; 1 when anything was forced, failed or left unanswered, or no server was
   * attached while one listened.
   */
  readonly exitCode: 0 | 1;
}

export interface ShutdownTrigger {
  readonly reason: string;
  readonly signal?: NodeJS.Signals;
}

export interface ShutdownContext {
  /** The model's own transitions (not the engine's `drain()`, which starts a shutdown). */
  readonly lifecycle: Pick<Lameduck, 'state' | 'drain' | 'close'>;
  readonly logger: Logger;
  readonly now: () => number;
  readonly drainDelayMs: number;
  readonly drainTimeoutMs: number;
  /**
   * After the delay, wait until no new non-probe request came for this long, at most half the
   * drain timeout, taken from it (see `untilQuiet`). Default 0: no wait.
   */
  readonly quietWindowMs?: number;
  readonly servers: () => readonly ServerTracker[];
  readonly drainStartHooks: () => readonly Hook[];
  readonly upgradedHooks: () => readonly Hook<UpgradedSocketsHook>[];
  readonly cleanupHooks: () => readonly Hook[];
  /** `ws` servers registered with `websockets()`: their clients get close code 1001 through `ws`. */
  readonly webSocketServers?: () => readonly WebSocketServerLike[];
  /** The window the WebSocket closes are spread over, from the listeners' close. Default 0: all at once. */
  readonly webSocketCloseSpreadMs?: number;
  /** The cleanup phase's budget, shared by every cleanup hook. Default: unbounded (each hook's own timeout). */
  readonly cleanupTimeoutMs?: number;
  /** Work tracked with `track()`: the drain waits for it as for the last connection, up to the deadline. */
  readonly tracked?: TrackedWork;
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
  /**
   * A server attached after the start (its startup was still running): it closes its listener as
   * soon as it listens, and the drain waits for its connections too.
   */
  join(server: ServerTracker): void;
}

// The shutdown's own waits live in the model, beside the budget that counts them.
// ACCEPT_QUEUE_WAIT_MS: before the listeners close, the longest spent accepting connections still
// waiting in the kernel's accept queue (closing the listener would reset them), taken from the
// drain timeout.
export { ACCEPT_QUEUE_WAIT_MS, AFTER_DESTROY_WAIT_MS, acceptQueueWaitMs, DEADLINE_MOMENT_MS };

/**
 * Shutdown drains the servers attached to the lifecycle and closes it, without dropping a
 * request that the servers have accepted. It is what SIGTERM runs, and what `shutdown()` runs.
 *
 *  1. The lifecycle goes to `draining` at once, before this function returns: readiness probes
 *     answer 503 from the same event-loop turn as the signal, liveness keeps answering 200.
 *  2. From that moment every HTTP/1 response carries `Connection: close` — responses already in
 *     progress too, if their headers have not left (or are queued behind a pipelined one) — and
 *     each socket closes after its response; each HTTP/2 session gets a GOAWAY after its answers,
 *     naming the last stream it sent, so every stream a client sent before it is answered.
 *     This is done on Node's own request event, so every framework gets it with no code.
 *     Early-notice hooks (`onDrainStart`) are called now, together, to end SSE streams, close
 *     WebSockets or stop consumers.
 *  3. For `drainDelayMs` nothing else changes: the listeners stay open and new connections are
 *     served (with `Connection: close`, or a GOAWAY after their first answers), because load balancers keep sending traffic for a few
 *     seconds after Kubernetes removes the endpoint.
 *     Then the quiet window (`quietWindowMs`, `untilQuiet`): until no server has seen a new
 *     request that is not a probe for the window, counting idle connections from their last
 *     answer, at most half of `drainTimeoutMs` and taken from it. A proxy that lags the
 *     endpoint change still sends on its pooled connections; closing them under it fails those
 *     requests (a 502 a POST does not retry).
 *  4. Then the listeners close, once the connections already waiting in the kernel's accept
 *     queue (a busy event loop fires the delay's timer late) are accepted. Idle keep-alive sockets and sockets that never sent a request
 *     (including TLS handshakes in progress) are closed — except those active within the last
 *     the idle grace (`idleGraceMs`, 1 s), which get the rest of it to send one last request, answered
 *     with `Connection: close`, so a busy client never races the close; busy sockets close after their current
 *     response; HTTP/2 sessions get the final GOAWAY and finish their open streams (one with no
 *     stream open that was active within the idle grace gets the rest of it for a request first). Open WebSockets
 *     get close code 1001 (going away), spread over `webSocketCloseSpreadMs` so their clients do
 *     not all reconnect at once: through `ws` for the servers registered with `websockets()`,
 *     else as a close frame lameduck writes; each has until the deadline for its closing
 *     handshake. Other upgraded sockets (CONNECT) — and, when there are `onUpgradedSockets`
 *     hooks, every upgraded socket no registered server owns — go to those hooks, or get a FIN.
 *  5. It waits up to `drainTimeoutMs` for every connection to close. At that deadline
 *     `deadlineSignal` aborts, handlers listening to it get DEADLINE_MOMENT_MS to answer, then
 *     every connection still open is destroyed, mid-request or not, and the shutdown counts as
 *     forced. A second SIGINT skips to the destroy at once.
 *     Then each server whose listener it closed emits 'close' (Node does so a tick or more after
 *     its last connection): the app's `server.on('close')` handlers run before the cleanup hooks,
 *     waited for up to AFTER_DESTROY_WAIT_MS in all.
 *  6. Cleanup hooks (`onCleanup`) run after the last response: one at a time, in reverse order
 *     of registration, inside one budget they share (cleanupTimeoutMs): each is bounded by
 *     its own timeout and by what is left of the phase. A hook that throws or times out is
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
  const trackedAtStart = context.tracked?.pending ?? 0;
  const forcing = new AbortController();
  const untrackedServers = context.untrackedServers?.() ?? 0;
  // With no server attached at all, the app's own server (app.listen()) is the one left out: the
  // drain saw nothing, so it is not clean. Beside attached ones, it is more likely a metrics or
  // admin port: said, not failed.
  const unseenServers = servers.length === 0 ? untrackedServers : 0;
  if (untrackedServers > 0) {
    logger[unseenServers > 0 ? 'error' : 'warn'](
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
  const closes = new ServerCloseWatch();

  const result = (async (): Promise<ShutdownResult> => {
    // Step 3: the drain delay.
    const delayStartedAt = now();
    if (context.drainDelayMs > 0) await wait(context.drainDelayMs, forcing.signal);
    // A busy event loop runs the delay's timer late, before Node accepted the connections
    // queued meanwhile; closing the listener now would reset every one of them.
    const delayEndedAt = now();
    const quietWaitMs = await waitForQuiet(servers, context, forcing.signal);
    const queue = forcing.signal.aborted
      ? { accepted: 0, leftQueued: 0 }
      : await acceptQueued(servers, now, forcing.signal, acceptQueueWaitMs(context.drainTimeoutMs));
    const acceptedAtClose = queue.accepted;
    const drainDelayMs = delayEndedAt - delayStartedAt;
    context.onPhase?.({
      phase: 'delay-end',
      at: now(),
      durationMs: drainDelayMs,
      cutShort: forcing.signal.aborted,
    });

    // Step 4: stop accepting. The drain timeout runs from the end of the delay.
    const closedAt = now();
    for (const server of servers) closes.watch(server.server);
    const reports = servers.map((server) => server.stopAccepting());
    const upgraded = reports.flatMap((report) => report.upgraded);
    const handshakesReset = sum(reports.map((r) => r.handshakesClosed));
    const resetConnections = handshakesReset + queue.leftQueued;
    logger.info(
      `${forcing.signal.aborted ? 'drain delay cut short' : 'drain delay over'} after ${drainDelayMs} ms: listeners closed` +
        `${acceptedAtClose > 0 ? ` after accepting ${acceptedAtClose} queued connection(s)` : ''};` +
        ` closed ${sum(reports.map((r) => r.idleClosed))} idle connection(s),` +
        ` ${sum(reports.map((r) => r.idleInGrace))} recently active idle connection(s) get up to ${Math.max(0, ...servers.map((server) => server.idleGraceMs))} ms for a last request,` +
        ` ${sum(reports.map((r) => r.busy))} busy connection(s) close after their response,` +
        ` ${sum(reports.map((r) => r.sessions))} HTTP/2 session(s) sent GOAWAY,` +
        ` ${upgraded.length} upgraded socket(s) ${context.upgradedHooks().length > 0 ? 'handed to hooks' : 'closed'}` +
        `${handshakesReset > 0 ? `, ${handshakesReset} TLS handshake(s) in progress reset` : ''};` +
        ` ${inFlight(servers)} request(s) in flight`,
      { phase: 'listeners-closed', durationMs: drainDelayMs, inFlight: inFlight(servers) },
    );
    if (queue.leftQueued > 0) {
      logger.warn(
        `${queue.leftQueued} connection(s) still waiting in the accept queue after ${closedAt - delayEndedAt} ms were reset when the listeners closed`,
      );
    }
    context.onPhase?.({
      phase: 'listeners-closed',
      at: closedAt,
      inFlight: inFlight(servers),
      connections: sum(servers.map((server) => server.connections)),
    });
    const upgradedHandled = handUpgraded(
      upgraded,
      context,
      AbortSignal.any([forcing.signal, context.deadline.signal]),
    );

    // Step 5: wait for the last connection, up to the deadline. Servers attached meanwhile count.
    const everyServer = () => context.servers();
    // Tracked work holds the cleanup step as the last connection does, up to the same deadline.
    const tracked = context.tracked;
    if (tracked !== undefined && tracked.pending > 0) {
      logger.info(
        `waiting for ${tracked.pending} tracked job(s) (${tracked.describePending()}) up to the drain deadline`,
        { phase: 'tracked-work', pending: tracked.pending },
      );
    }
    const whenDrained = () =>
      Promise.all([
        ...everyServer().map((server) => server.whenEmpty()),
        tracked?.whenIdle() ?? Promise.resolve(),
      ]).then(() => 'drained' as const);
    let forced = forcing.signal.aborted;
    let destroyedConnections = 0;
    let abandonedRequests = 0;
    let abandonedWork = 0;
    // Servers' 'close' events come a tick or more after their last connection's: the app's close
    // handlers are part of the last response, so the cleanup hooks and the exit wait for them.
    let serversOpen = 0;
    const drainLeftMs = Math.max(0, context.drainTimeoutMs - (closedAt - delayEndedAt));
    const deadline = forced ? undefined : timer(drainLeftMs, forcing.signal);
    const outcome =
      deadline === undefined
        ? 'forced'
        : await Promise.race([whenDrained(), deadline.done.then(() => 'deadline' as const)]);
    // A drain done early must not leave the deadline's timer holding the process open.
    deadline?.cancel();
    if (outcome !== 'drained') {
      forced = true;
      context.deadline.abort(new Error('the drain deadline was reached'));
      if (!forcing.signal.aborted) {
        // Handlers that listen to deadlineSignal stop their work and answer now, before the cut.
        const moment = timer(DEADLINE_MOMENT_MS, forcing.signal);
        await Promise.race([whenDrained(), moment.done]);
        moment.cancel();
      }
      abandonedWork = tracked?.pending ?? 0;
      if (abandonedWork > 0) {
        logger.error(
          `${abandonedWork} tracked job(s) still running at the drain deadline (${tracked?.describePending()}): the cleanup hooks start without them`,
          { phase: 'forced', abandonedWork },
        );
      }
      const destroyed = everyServer().map((server) => server.destroyAll());
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
      const closingUntil = now() + AFTER_DESTROY_WAIT_MS;
      const closing = timer(AFTER_DESTROY_WAIT_MS);
      await Promise.race([whenDrained(), closing.done]);
      closing.cancel();
      serversOpen = await closes.whenClosed(closingUntil - now());
    } else {
      logger.info(
        `all connections closed${trackedAtStart > 0 ? ' and tracked work finished' : ''} ${now() - closedAt} ms after the listeners closed`,
        {
          phase: 'drained',
          durationMs: now() - closedAt,
        },
      );
      context.onPhase?.({ phase: 'drained', at: now(), durationMs: now() - closedAt });
      // Node emits it a tick after the last connection's close; a server held open by sockets
      // lameduck never saw (accepted before attach()) is not waited for past the same short wait
      // a forced drain gives destroyed sockets, which the budget counts.
      serversOpen = await closes.whenClosed(AFTER_DESTROY_WAIT_MS, forcing.signal);
    }
    if (serversOpen > 0) {
      logger.warn(
        `${serversOpen} server(s) had not emitted 'close' when the cleanup hooks started: their close handlers may not run before the exit`,
      );
    }
    const drainMs = now() - closedAt;
    const unansweredRequests = sum(everyServer().map((server) => server.unanswered));
    if (unansweredRequests > 0) {
      logger.warn(
        `${unansweredRequests} pipelined request(s) could not be answered: they were read behind a response that closed their connection (the client sent them before that answer arrived)`,
      );
    }

    // Step 6: hooks.
    const notified = [...(await Promise.all(earlyNotice)), ...(await upgradedHandled)];
    context.onCleanupStart();
    const cleanupStartedAt = now();
    const cleaned = await runCleanupPhase(
      context.cleanupHooks(),
      context.cleanupTimeoutMs ?? Number.POSITIVE_INFINITY,
      logger,
      now,
      (outcome) => tellHook(context, outcome),
    );
    const cleanupMs = now() - cleanupStartedAt;

    // Step 7: closed.
    const failedHooks = [...notified, ...cleaned].filter((hook) => !hook.ok);
    const exitCode = forced || failedHooks.length > 0 || unansweredRequests > 0 || unseenServers > 0 ? 1 : 0;
    if (lifecycle.state === 'draining') lifecycle.close(forced ? 'drain forced' : 'drained');
    const durationMs = now() - startedAt;
    const summary =
      `shutdown ${exitCode === 0 ? 'complete' : 'finished with problems'} in ${durationMs} ms: forced ${forced ? 'yes' : 'no'}, ` +
      `${failedHooks.length} failed hook(s), ${unansweredRequests > 0 ? `${unansweredRequests} request(s) unanswered, ` : ''}` +
      `${unseenServers > 0 ? `${unseenServers} server(s) not attached (not drained), ` : ''}exit code ${exitCode}`;
    const fields = { phase: 'done', durationMs, forced, failedHooks: failedHooks.length, exitCode };
    if (exitCode === 0) logger.info(summary, fields);
    else logger.warn(summary, fields);
    const shutdownResult: ShutdownResult = {
      reason: trigger.reason,
      ...(trigger.signal === undefined ? {} : { signal: trigger.signal }),
      startedAt,
      durationMs,
      drainDelayMs,
      quietWaitMs,
      drainMs,
      cleanupMs,
      inFlightAtStart,
      connectionsAtStart,
      destroyedConnections,
      abandonedRequests,
      trackedAtStart,
      abandonedWork,
      forced,
      unansweredRequests,
      acceptedAtClose,
      resetConnections,
      failedHooks,
      untrackedServers,
      exitCode,
    };
    context.onPhase?.({ phase: 'done', at: now(), result: shutdownResult });
    return shutdownResult;
  })();

  return {
    startedAt,
    result,
    force(why) {
      if (forcing.signal.aborted) return;
      logger.warn(
        `${why}: forcing the drain, ${inFlight(context.servers())} request(s) in flight will be cut off`,
      );
      forcing.abort(new Error(why));
    },
    notifyLate(hook) {
      earlyNotice.push(
        runHook(hook, 'drain-start', logger, now, { logSuccess: false }).then((outcome) =>
          tellHook(context, outcome),
        ),
      );
    },
    join(server) {
      closes.watch(server.server);
      server.stopAccepting();
      logger.info(
        'a server attached after the shutdown started: it closes its listener as soon as it listens',
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

/**
 * WebSockets get close code 1001 (going away), spread over the configured window: the clients of
 * registered `ws` servers through `ws`, other open WebSockets with a close frame lameduck writes
 * (unless upgraded-socket hooks own them). The rest goes to the hooks, or gets a FIN.
 */
function handUpgraded(
  upgraded: readonly UpgradedSocket[],
  context: ShutdownContext,
  stop: AbortSignal,
): Promise<HookOutcome[]> {
  const hooks = context.upgradedHooks();
  const plan = planGoingAway(upgraded, context.webSocketServers?.() ?? [], hooks.length > 0);
  const webSockets = plan.clients.length + plan.raw.length;
  if (webSockets > 0) {
    const spreadMs = context.webSocketCloseSpreadMs ?? 0;
    context.logger.info(
      `closing ${webSockets} WebSocket(s) with code 1001 (going away), spread over ${spreadMs} ms; each gets until the drain deadline for its closing handshake`,
      { phase: 'websockets', webSockets, durationMs: spreadMs },
    );
    void closeSpread(plan, spreadMs, stop);
  }
  if (plan.others.length === 0) return Promise.resolve([]);
  if (hooks.length === 0) {
    for (const { socket } of plan.others) endGracefully(socket);
    return Promise.resolve([]);
  }
  return Promise.all(
    hooks.map((hook) =>
      runHook(
        { name: hook.name, timeoutMs: hook.timeoutMs, fn: (signal) => hook.fn(plan.others, signal) },
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

/** Resolves after `ms`, or as soon as `signal` aborts; never rejects. */
/**
 * The quiet window (step 3½): idle connections close only once no server has seen a new request
 * for quietWindowMs, since a proxy lagging the endpoint change still sends on them. Capped at half
 * the drain timeout, from which it is taken, so in-flight requests keep the other half.
 */
async function waitForQuiet(
  servers: readonly ServerTracker[],
  context: ShutdownContext,
  signal: AbortSignal,
): Promise<number> {
  const windowMs = context.quietWindowMs ?? 0;
  if (windowMs <= 0 || signal.aborted) return 0;
  const capMs = Math.floor(context.drainTimeoutMs / 2);
  const { waitedMs, quiet } = await untilQuiet(servers, windowMs, capMs, context.now, signal);
  if (waitedMs <= 0 || signal.aborted) return waitedMs;
  if (quiet) {
    context.logger.info(
      `quiet after ${waitedMs} ms: no new request for the ${windowMs} ms quiet window, closing idle connections`,
      { phase: 'quiet', durationMs: waitedMs },
    );
  } else {
    context.logger.warn(
      `requests still arriving after the drain delay: no ${windowMs} ms quiet window within ${capMs} ms (half the ${context.drainTimeoutMs} ms drain timeout); closing idle connections anyway. Raise the drain delay (or the preStop sleep) above the lag of the proxy in front`,
      { phase: 'quiet', durationMs: waitedMs },
    );
  }
  return waitedMs;
}

function wait(ms: number, signal?: AbortSignal): Promise<void> {
  return timer(ms, signal).done;
}

/**
 * `done` resolves after `ms`, or as soon as `signal` aborts or `cancel()` is called (then the
 * timer is gone: a wait that lost a race must not keep the process alive).
 */
function timer(ms: number, signal?: AbortSignal): { done: Promise<void>; cancel: () => void } {
  let cancel = () => {};
  const done = new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const handle = setTimeout(finish, ms);
    signal?.addEventListener('abort', finish, { once: true });
    cancel = finish;
    function finish() {
      clearTimeout(handle);
      signal?.removeEventListener('abort', finish);
      resolve();
    }
  });
  return { done, cancel };
}
