import diagnostics from 'node:diagnostics_channel';
import type { HookOutcome } from '../hooks.js';
import type { CheckEvent, LifecycleState, StateChange } from '../index.js';
import type { ShutdownResult } from './shutdown.js';

/** `node:diagnostics_channel` names lameduck publishes on. Subscribe with `diagnostics_channel.subscribe(name, fn)`. */
export const DIAGNOSTICS_CHANNELS = {
  /** A lifecycle state change: `LameduckStateMessage`. */
  state: 'lameduck:state',
  /** A fresh check result (cached results are not published): `LameduckCheckMessage`. */
  check: 'lameduck:check',
  /** A step of a shutdown: `LameduckShutdownMessage`. */
  shutdown: 'lameduck:shutdown',
} as const;

/**
 * The lifecycle a message comes from, so a subscriber can tell several apart and read its live
 * figures (`inFlight`, `connections`, `state`) when it wants them.
 */
export interface LameduckSource {
  readonly state: LifecycleState;
  readonly inFlight: number;
  readonly connections: number;
  /** Work held with `track()` and not settled yet (a lifecycle without `track()` has none). */
  readonly workInFlight?: number;
}

export interface LameduckStateMessage extends StateChange {
  readonly lifecycle: LameduckSource;
}

export interface LameduckCheckMessage extends CheckEvent {
  readonly lifecycle: LameduckSource;
}

/**
 * The steps of one shutdown, in order: `start`; `delay-end` (the listeners close now);
 * `listeners-closed`; `drained` or `forced`; a `hook` per early-notice, upgraded-socket and
 * cleanup hook as it finishes; `done` with the result; `exit` just before lameduck ends the process.
 */
export type ShutdownPhase =
  | 'start'
  | 'delay-end'
  | 'listeners-closed'
  | 'drained'
  | 'forced'
  | 'hook'
  | 'done'
  | 'exit';

/** What the drain engine reports at each step; `at` is ms since the epoch on the lifecycle's clock. */
export interface ShutdownPhaseEvent {
  readonly phase: ShutdownPhase;
  readonly at: number;
  /** `start`: why, and the signal if one started it. */
  readonly reason?: string;
  readonly signal?: string;
  /** `start`: requests in flight and connections open. `listeners-closed`, `drained`, `forced`: what is left. */
  readonly inFlight?: number;
  readonly connections?: number;
  /** `delay-end`: how long the listeners stayed open. `drained`/`forced`: since they closed. */
  readonly durationMs?: number;
  /** `delay-end`: true when the delay was cut short (a second SIGINT). */
  readonly cutShort?: boolean;
  /** `forced`: connections destroyed and requests cut off. */
  readonly destroyedConnections?: number;
  readonly abandonedRequests?: number;
  /** `hook`: the hook's outcome. */
  readonly hook?: HookOutcome;
  /** `done`: what the shutdown did. */
  readonly result?: ShutdownResult;
  /** `exit`: the code (or signal status) the process ends with. */
  readonly exitCode?: number;
}

export interface LameduckShutdownMessage extends ShutdownPhaseEvent {
  readonly lifecycle: LameduckSource;
}

const stateChannel = diagnostics.channel(DIAGNOSTICS_CHANNELS.state);
const checkChannel = diagnostics.channel(DIAGNOSTICS_CHANNELS.check);
const shutdownChannel = diagnostics.channel(DIAGNOSTICS_CHANNELS.shutdown);

/**
 * Publishers bound to one lifecycle. Each builds its message only when someone subscribes, so
 * an app without a subscriber pays one property read per event, and nothing per request.
 */
export function diagnosticsFor(lifecycle: LameduckSource) {
  return {
    state(change: StateChange): void {
      if (stateChannel.hasSubscribers) stateChannel.publish({ ...change, lifecycle });
    },
    check(event: CheckEvent): void {
      if (checkChannel.hasSubscribers) checkChannel.publish({ ...event, lifecycle });
    },
    shutdown(event: ShutdownPhaseEvent): void {
      if (shutdownChannel.hasSubscribers) shutdownChannel.publish({ ...event, lifecycle });
    },
  };
}
