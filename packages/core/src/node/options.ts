import { constants } from 'node:os';
import { LameduckConfigError, type LameduckOptions } from '../index.js';
import { describeValue, durationMs } from './validate.js';

/** What `createNodeLameduck` takes on top of the core lifecycle's options. */
export interface NodeLameduckOptions extends LameduckOptions {
  /**
   * How long the listeners stay open after the shutdown starts, answering every request with
   * `Connection: close`, while load balancers learn that this pod is leaving. Default 5000 ms
   * when `KUBERNETES_SERVICE_HOST` is set (running in Kubernetes), else 0. Use 0 when the pod
   * already has a `preStop` sleep.
   */
  drainDelayMs?: number;
  /** After the listeners close, how long in-flight requests may take before they are cut. Default 20000 ms. */
  drainTimeoutMs?: number;
  /** Default timeout of each hook that sets none. Default 5000 ms. */
  hookTimeoutMs?: number;
  /** Signals that start the shutdown. Default `['SIGTERM', 'SIGINT']`; `false` for none. */
  signals?: readonly NodeJS.Signals[] | false;
  /**
   * What happens after a signal-driven shutdown: `true` (default) calls `process.exit` with 0 for
   * a clean drain and 1 when anything was forced or failed; `'reraise'` re-sends the signal to
   * the process with lameduck's handlers removed, so it dies by the signal (exit status 143 for
   * SIGTERM); `false` leaves the process alone.
   */
  exitOnSignal?: boolean | 'reraise';
  /**
   * The time from SIGTERM to SIGKILL: `terminationGracePeriodSeconds` (minus any preStop sleep)
   * in ms. When known, lameduck refuses at startup a configuration that cannot finish in time.
   * Default: the `TERMINATION_GRACE_PERIOD_SECONDS` environment variable if set, else unknown.
   */
  gracePeriodMs?: number;
  /**
   * When the listeners close, an idle keep-alive socket that finished a response (or connected)
   * less than this long ago gets the rest of it to send one last request, answered with
   * `Connection: close`: closing it at once races a client sending on it (ECONNRESET). Sockets
   * quiet for longer close at once. Default 1000 ms; lower it to exit sooner, 0 to never wait.
   */
  idleGraceMs?: number;
}

export type ExitMode = 'code' | 'reraise' | false;

/** The resolved drain configuration: every number in ms, every default applied. */
export interface DrainSettings {
  readonly drainDelayMs: number;
  /** Where drainDelayMs came from, for the startup log line. */
  readonly drainDelaySource: 'option' | 'kubernetes' | 'default';
  readonly drainTimeoutMs: number;
  readonly hookTimeoutMs: number;
  readonly signals: readonly NodeJS.Signals[];
  readonly exitOnSignal: ExitMode;
  readonly gracePeriodMs?: number;
  /** Where gracePeriodMs came from, quoted in budget errors. */
  readonly gracePeriodSource?: string;
  readonly idleGraceMs: number;
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 20_000;
export const DEFAULT_HOOK_TIMEOUT_MS = 5_000;
export const DEFAULT_IDLE_GRACE_MS = 1_000;
/** Long enough for kube-proxy, ingress controllers and cloud load balancers to drop the endpoint. */
export const KUBERNETES_DRAIN_DELAY_MS = 5_000;
export const GRACE_PERIOD_ENV = 'TERMINATION_GRACE_PERIOD_SECONDS';
const DEFAULT_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

export const NODE_OPTION_NAMES = [
  'drainDelayMs',
  'drainTimeoutMs',
  'hookTimeoutMs',
  'signals',
  'exitOnSignal',
  'gracePeriodMs',
  'idleGraceMs',
] as const;

/**
 * Splits the options into the core lifecycle's and the drain engine's, and validates the latter.
 * `env` is `process.env` in production; a parameter so the defaults can be tested.
 */
export function resolveNodeOptions(
  options: NodeLameduckOptions,
  env: Readonly<Record<string, string | undefined>>,
): { core: LameduckOptions; settings: DrainSettings } {
  if (options === null || typeof options !== 'object') {
    throw new LameduckConfigError(
      `createNodeLameduck options must be an object, got ${describeValue(options)}`,
    );
  }
  const {
    drainDelayMs,
    drainTimeoutMs,
    hookTimeoutMs,
    signals,
    exitOnSignal,
    gracePeriodMs,
    idleGraceMs,
    ...core
  } = options;
  const inKubernetes = Boolean(env.KUBERNETES_SERVICE_HOST);
  const delayDefault = inKubernetes ? KUBERNETES_DRAIN_DELAY_MS : 0;
  const grace = resolveGracePeriod(gracePeriodMs, env[GRACE_PERIOD_ENV]);
  return {
    core,
    settings: {
      drainDelayMs: durationMs('drainDelayMs', drainDelayMs, delayDefault),
      drainDelaySource: drainDelayMs !== undefined ? 'option' : inKubernetes ? 'kubernetes' : 'default',
      drainTimeoutMs: durationMs('drainTimeoutMs', drainTimeoutMs, DEFAULT_DRAIN_TIMEOUT_MS),
      hookTimeoutMs: durationMs('hookTimeoutMs', hookTimeoutMs, DEFAULT_HOOK_TIMEOUT_MS, 1),
      signals: resolveSignals(signals),
      exitOnSignal: resolveExitMode(exitOnSignal),
      idleGraceMs: durationMs('idleGraceMs', idleGraceMs, DEFAULT_IDLE_GRACE_MS),
      ...grace,
    },
  };
}

function resolveSignals(signals: NodeLameduckOptions['signals']): readonly NodeJS.Signals[] {
  if (signals === undefined) return DEFAULT_SIGNALS;
  if (signals === false) return [];
  if (!Array.isArray(signals)) {
    throw new LameduckConfigError(
      `signals must be a list like ['SIGTERM', 'SIGINT'] or false, got ${describeValue(signals)}`,
    );
  }
  for (const signal of signals) {
    if (typeof signal !== 'string' || !(signal in constants.signals)) {
      throw new LameduckConfigError(`signals: ${describeValue(signal)} is not a signal name like 'SIGTERM'`);
    }
    if (signal === 'SIGKILL' || signal === 'SIGSTOP') {
      throw new LameduckConfigError(`signals: ${signal} cannot be caught; use SIGTERM or SIGINT`);
    }
  }
  return [...new Set(signals)];
}

function resolveExitMode(exitOnSignal: NodeLameduckOptions['exitOnSignal']): ExitMode {
  if (exitOnSignal === undefined || exitOnSignal === true) return 'code';
  if (exitOnSignal === false) return false;
  if (exitOnSignal === 'reraise') return 'reraise';
  throw new LameduckConfigError(
    `exitOnSignal must be true, false or 'reraise', got ${describeValue(exitOnSignal)}`,
  );
}

function resolveGracePeriod(
  option: unknown,
  envValue: string | undefined,
): { gracePeriodMs?: number; gracePeriodSource?: string } {
  if (option !== undefined) {
    const gracePeriodMs = durationMs('gracePeriodMs', option, 0, 1);
    return { gracePeriodMs, gracePeriodSource: `gracePeriodMs: ${gracePeriodMs}` };
  }
  if (envValue === undefined || envValue === '') return {};
  if (!/^\d{1,5}$/.test(envValue.trim())) {
    throw new LameduckConfigError(
      `${GRACE_PERIOD_ENV} must be a whole number of seconds like "30" (the pod's terminationGracePeriodSeconds), got ${describeValue(envValue)}`,
    );
  }
  const seconds = Number(envValue.trim());
  return { gracePeriodMs: seconds * 1000, gracePeriodSource: `${GRACE_PERIOD_ENV}=${seconds}` };
}
