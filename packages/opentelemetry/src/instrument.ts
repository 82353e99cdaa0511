import diagnostics from 'node:diagnostics_channel';
import type { CheckStatus, LifecycleState } from '@lameduck/core';
import {
  DIAGNOSTICS_CHANNELS,
  type LameduckCheckMessage,
  type LameduckShutdownMessage,
  type LameduckSource,
  type LameduckStateMessage,
  type ShutdownResult,
} from '@lameduck/core/node';
import {
  type Attributes,
  context,
  type MeterProvider,
  metrics,
  type ObservableResult,
  type Span,
  SpanStatusCode,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { ATTRIBUTES, METRICS, type ShutdownOutcome, SPANS } from './names.js';

export interface LameduckInstrumentationOptions {
  /** Where the metrics go. Default: the global meter provider (`metrics.getMeterProvider()`). */
  meterProvider?: MeterProvider;
  /** Where the shutdown spans go. Default: the global tracer provider (`trace.getTracerProvider()`). */
  tracerProvider?: TracerProvider;
  /**
   * Lifecycles to observe from now on (state, requests in flight, open connections). Any other
   * lifecycle is observed from its first event (usually `ready()`).
   */
  lifecycles?: readonly LameduckSource[];
}

export interface LameduckInstrumentation {
  /** Unsubscribes from lameduck's diagnostics channels and stops observing. */
  stop(): void;
}

const SCOPE = '@lameduck/opentelemetry';
const STATES: readonly LifecycleState[] = ['starting', 'ready', 'draining', 'closed'];
const STATUSES: readonly CheckStatus[] = ['pass', 'warn', 'fail'];
/** Check calls and shutdown phases: milliseconds to a minute. */
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** One shutdown in progress: its root span and the phase span open now. */
interface ShutdownTrace {
  root: Span;
  phase?: Span;
}

/**
 * Records lameduck's metrics and a span per shutdown, from the `lameduck:*` diagnostics channels
 * (so every adapter is covered). Call it once at startup, before or after creating the lifecycle.
 */
export function instrumentLameduck(options: LameduckInstrumentationOptions = {}): LameduckInstrumentation {
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
  const lifecycles = new Set<LameduckSource>(options.lifecycles ?? []);
  const checkStatuses = new Map<string, CheckStatus>();
  const shutdowns = new Map<LameduckSource, ShutdownTrace>();

  const stateGauge = meter.createObservableGauge(METRICS.lifecycleState, {
    description: 'Lifecycles in each state: 1 for the state a lifecycle is in, 0 for the others',
    unit: '{lifecycle}',
  });
  const checkStatusGauge = meter.createObservableGauge(METRICS.checkStatus, {
    description: "Each check's last fresh result: 1 for its status, 0 for the others",
    unit: '1',
  });
  const inFlightCounter = meter.createObservableUpDownCounter(METRICS.requestsInFlight, {
    description: 'Requests in flight on the servers attached to lameduck',
    unit: '{request}',
  });
  const connectionsCounter = meter.createObservableUpDownCounter(METRICS.connectionsOpen, {
    description: 'Open connections on the servers attached to lameduck',
    unit: '{connection}',
  });
  const workCounter = meter.createObservableUpDownCounter(METRICS.workInFlight, {
    description: "Work held with lameduck's track() (jobs, uploads, webhooks) and not settled yet",
    unit: '{job}',
  });
  const checkDuration = meter.createHistogram(METRICS.checkDuration, {
    description: 'Duration of each health check call (cached results are not counted)',
    unit: 's',
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  });
  const phaseDuration = meter.createHistogram(METRICS.shutdownPhaseDuration, {
    description: 'Duration of each shutdown phase: drain_delay, drain, cleanup',
    unit: 's',
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  });
  const shutdownDuration = meter.createHistogram(METRICS.shutdownDuration, {
    description: 'Duration of each shutdown, from its start to the end of the cleanup hooks',
    unit: 's',
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  });
  const outcomes = meter.createCounter(METRICS.shutdownOutcome, {
    description: 'Shutdowns by outcome: clean, forced, failed_hooks, untracked_servers',
    unit: '{shutdown}',
  });

  const observeStates = (result: ObservableResult) => {
    for (const state of STATES) {
      let count = 0;
      for (const lifecycle of lifecycles) if (lifecycle.state === state) count += 1;
      result.observe(count, { [ATTRIBUTES.state]: state });
    }
  };
  const observeChecks = (result: ObservableResult) => {
    for (const [name, last] of checkStatuses) {
      for (const status of STATUSES) {
        result.observe(last === status ? 1 : 0, {
          [ATTRIBUTES.checkName]: name,
          [ATTRIBUTES.checkStatus]: status,
        });
      }
    }
  };
  const observeInFlight = (result: ObservableResult) => result.observe(sumOver(lifecycles, 'inFlight'));
  const observeConnections = (result: ObservableResult) => result.observe(sumOver(lifecycles, 'connections'));
  const observeWork = (result: ObservableResult) => result.observe(sumOver(lifecycles, 'workInFlight'));
  stateGauge.addCallback(observeStates);
  checkStatusGauge.addCallback(observeChecks);
  inFlightCounter.addCallback(observeInFlight);
  connectionsCounter.addCallback(observeConnections);
  workCounter.addCallback(observeWork);

  const onState = (message: unknown) => {
    lifecycles.add((message as LameduckStateMessage).lifecycle);
  };
  const onCheck = (message: unknown) => {
    const check = message as LameduckCheckMessage;
    lifecycles.add(check.lifecycle);
    checkStatuses.set(check.name, check.status);
    checkDuration.record(check.durationMs / 1000, {
      [ATTRIBUTES.checkName]: check.name,
      [ATTRIBUTES.checkStatus]: check.status,
    });
  };
  const onShutdown = (message: unknown) => {
    const step = message as LameduckShutdownMessage;
    lifecycles.add(step.lifecycle);
    const open = shutdowns.get(step.lifecycle);
    switch (step.phase) {
      case 'start': {
        const attributes: Attributes = {
          [ATTRIBUTES.reason]: step.reason,
          [ATTRIBUTES.inFlightAtStart]: step.inFlight,
          [ATTRIBUTES.connectionsAtStart]: step.connections,
        };
        if (step.signal !== undefined) attributes[ATTRIBUTES.signal] = step.signal;
        const root = tracer.startSpan(SPANS.shutdown, { startTime: step.at, attributes });
        shutdowns.set(step.lifecycle, { root, phase: child(root, SPANS.drainDelay, step.at) });
        return;
      }
      case 'delay-end':
        open?.phase?.end(step.at);
        open?.root.addEvent(
          'listeners closing',
          { 'lameduck.shutdown.cut_short': step.cutShort ?? false },
          step.at,
        );
        return;
      case 'listeners-closed':
        if (open) open.phase = child(open.root, SPANS.drain, step.at);
        return;
      case 'drained':
      case 'forced': {
        const attributes: Attributes =
          step.phase === 'forced'
            ? {
                [ATTRIBUTES.destroyedConnections]: step.destroyedConnections,
                [ATTRIBUTES.abandonedRequests]: step.abandonedRequests,
              }
            : {};
        open?.phase?.setAttributes(attributes);
        open?.phase?.end(step.at);
        open?.root.addEvent(step.phase, attributes, step.at);
        if (open) open.phase = undefined;
        return;
      }
      case 'hook': {
        const hook = step.hook;
        if (!open || !hook) return;
        const attributes: Attributes = {
          [ATTRIBUTES.hookName]: hook.name,
          [ATTRIBUTES.hookPhase]: hook.phase,
          [ATTRIBUTES.hookOk]: hook.ok,
          [ATTRIBUTES.hookTimedOut]: hook.timedOut,
          [ATTRIBUTES.hookDuration]: hook.durationMs / 1000,
        };
        if (hook.error !== undefined) attributes[ATTRIBUTES.hookError] = hook.error;
        open.root.addEvent('hook', attributes, step.at);
        return;
      }
      case 'done':
        if (step.result) finish(step.result, open);
        shutdowns.delete(step.lifecycle);
        return;
      default:
        return;
    }
  };

  const child = (root: Span, name: string, at: number) =>
    tracer.startSpan(name, { startTime: at }, trace.setSpan(context.active(), root));

  function finish(result: ShutdownResult, open: ShutdownTrace | undefined) {
    const outcome = outcomeOf(result);
    const endedAt = result.startedAt + result.durationMs;
    for (const [phase, ms] of [
      ['drain_delay', result.drainDelayMs],
      ['drain', result.drainMs],
      ['cleanup', result.cleanupMs],
    ] as const) {
      phaseDuration.record(ms / 1000, { [ATTRIBUTES.phase]: phase });
    }
    shutdownDuration.record(result.durationMs / 1000, { [ATTRIBUTES.outcome]: outcome });
    outcomes.add(1, { [ATTRIBUTES.outcome]: outcome });
    if (!open) return;
    open.phase?.end(endedAt);
    child(open.root, SPANS.cleanup, endedAt - result.cleanupMs).end(endedAt);
    open.root.setAttributes({
      [ATTRIBUTES.outcome]: outcome,
      [ATTRIBUTES.forced]: result.forced,
      [ATTRIBUTES.exitCode]: result.exitCode,
      [ATTRIBUTES.destroyedConnections]: result.destroyedConnections,
      [ATTRIBUTES.abandonedRequests]: result.abandonedRequests,
      [ATTRIBUTES.failedHooks]: result.failedHooks.length,
    });
    if (result.exitCode !== 0) open.root.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    open.root.end(endedAt);
  }

  diagnostics.subscribe(DIAGNOSTICS_CHANNELS.state, onState);
  diagnostics.subscribe(DIAGNOSTICS_CHANNELS.check, onCheck);
  diagnostics.subscribe(DIAGNOSTICS_CHANNELS.shutdown, onShutdown);
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      diagnostics.unsubscribe(DIAGNOSTICS_CHANNELS.state, onState);
      diagnostics.unsubscribe(DIAGNOSTICS_CHANNELS.check, onCheck);
      diagnostics.unsubscribe(DIAGNOSTICS_CHANNELS.shutdown, onShutdown);
      stateGauge.removeCallback(observeStates);
      checkStatusGauge.removeCallback(observeChecks);
      inFlightCounter.removeCallback(observeInFlight);
      connectionsCounter.removeCallback(observeConnections);
      workCounter.removeCallback(observeWork);
    },
  };
}

/** Forced wins over failed hooks, which win over servers that were never attached. */
export function outcomeOf(result: ShutdownResult): ShutdownOutcome {
  if (result.forced) return 'forced';
  if (result.failedHooks.length > 0) return 'failed_hooks';
  if (result.untrackedServers > 0) return 'untracked_servers';
  return 'clean';
}

function sumOver(
  lifecycles: ReadonlySet<LameduckSource>,
  figure: 'inFlight' | 'connections' | 'workInFlight',
): number {
  let total = 0;
  for (const lifecycle of lifecycles) total += lifecycle[figure] ?? 0;
  return total;
}
