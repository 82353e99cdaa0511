import { constants } from 'node:os';
import { describeValue } from '../describe.js';
import {
  DRAIN_OPTION_KEYS,
  type DrainOptions,
  type DrainTimes,
  resolveDrainTimes,
} from '../drain-options.js';
import { durationOption, MAX_DURATION_MS } from '../duration.js';
import {
  ENVIRONMENT,
  GRACE_PERIOD_VARIABLE,
  gracePeriodSource,
  KUBERNETES_VARIABLE,
  LameduckConfigError,
  type LameduckOptions,
  PROBE_DETAIL_VARIABLE,
  parseGracePeriodSeconds,
  parseProbeDetail,
  unknownVariables,
} from '../index.js';
import { type KeepAliveSource, keepAliveTimeoutOption } from '../keep-alive.js';
import { LAMEDUCK_OPTION_KEYS } from '../lameduck.js';
import { checkOptionKeys } from '../option-keys.js';
import {
  BUDGET_VARIABLE,
  type BudgetMode,
  budgetMode,
  fitShutdownBudget,
  fittedMessage,
  overBudgetMessage,
  shutdownBudget,
} from '../shutdown-budget.js';
import { legacyVariablesSet, optionsFromEnv } from './env-options.js';

type Env = Readonly<Record<string, string | undefined>>;

/** What `createNodeLameduck` takes on top of the core lifecycle's options. */
export interface NodeLameduckOptions extends DrainOptions {
  /**
   * Where the deployment's settings come from: `true` (default) reads `process.env`
   * (`LAMEDUCK_DRAIN_DELAY_MS`, `LAMEDUCK_DRAIN_TIMEOUT_MS`, `LAMEDUCK_HOOK_TIMEOUT_MS`,
   * `LAMEDUCK_CHECK_TIMEOUT_MS`, `TERMINATION_GRACE_PERIOD_SECONDS`, `KUBERNETES_SERVICE_HOST`),
   * and a variable that is set wins over the option in code; an object is read instead of
   * `process.env`; `false` reads nothing, so only the code and lameduck's defaults count.
   */
  env?: boolean | Env;
  /**
   * What an uncaught exception (or an unhandled rejection Node turns into one) does. `'exit'`
   * (default): Node's own behaviour, unchanged: print it and exit at once, cutting every request
   * in flight. `'drain'`: log it, turn readiness 503, drain with a short timeout (at most
   * 5000 ms), run the cleanup hooks and exit 1. Other 'uncaughtException' listeners (error
   * trackers) still see every error.
   */
  onUncaughtException?: 'exit' | 'drain';
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
   * in ms. When known, a configuration that cannot finish in time is fitted or refused (`budget`).
   * `TERMINATION_GRACE_PERIOD_SECONDS` in the environment overrides it. Default: unknown.
   */
  gracePeriodMs?: number;
  /**
   * What a configuration that cannot finish within the grace period does. `'fit'`: start anyway,
   * cutting the drain timeout, then the cleanup phase, then the drain delay until it fits, and log
   * one warning saying what was cut and the fix. `'refuse'`: throw a LameduckConfigError at
   * startup. Default: `'fit'` when the grace period comes from `TERMINATION_GRACE_PERIOD_SECONDS`
   * (a pod that throws at startup restarts forever), `'refuse'` when it comes from `gracePeriodMs`
   * in code. `LAMEDUCK_BUDGET` in the environment overrides it.
   */
  budget?: BudgetMode;
  /**
   * When the listeners close, an idle keep-alive socket that finished a response (or connected)
   * less than this long ago gets the rest of it to send one last request, answered with
   * `Connection: close`: closing it at once races a client sending on it (ECONNRESET). Sockets
   * quiet for longer close at once. Default 1000 ms; lower it to exit sooner, 0 to never wait.
   */
  idleGraceMs?: number;
  /**
   * How long an idle HTTP/1 keep-alive connection stays open (`server.keepAliveTimeout`), set by
   * `attach()` and `listen()` on every HTTP/1 server and the HTTP/1 side of an HTTP/2 server that
   * allows it. Keep it above the idle timeout of the proxy in front (ingress-nginx and AWS ALB:
   * 60 s; GCP load balancers: 600 s), so the pod never closes a pooled connection just as the
   * proxy sends on it (a 502). Default 65000 ms, applied only where it raises the server's own
   * (Fastify's 72 s is kept); a value set here or in `LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS` is applied as
   * it is. 0 never closes idle connections. The drain closes idle connections itself, so a long
   * timeout does not lengthen the shutdown.
   */
  keepAliveTimeoutMs?: number;
  /**
   * Once the listeners close, open WebSockets get close code 1001 (going away) spread evenly over
   * this window, so their clients do not all reconnect to the surviving pods at once; each then
   * has until the drain deadline for its closing handshake. Default: a quarter of the drain
   * timeout; at most half of it (a longer one is cut, with a warning). 0 closes them all at once.
   * `LAMEDUCK_WEBSOCKET_CLOSE_SPREAD_MS` overrides it.
   */
  webSocketCloseSpreadMs?: number;
  /**
   * After the drain delay, before the listeners and idle keep-alive connections close: wait until
   * no new request (probes aside) has come for this long. A proxy that lags the endpoint change
   * (ingress-nginx routing to the pod seconds after it left) still sends on its pooled
   * connections, and closing them under it fails those requests (a 502; a POST is not retried).
   * Capped at half the drain timeout and counted inside it: the shutdown budget is unchanged.
   * Probes do not count; an idle keep-alive connection counts from its last answer, so it works
   * with a preStop sleep and no drain delay too. Default 1000 ms; 0 turns it off.
   * `LAMEDUCK_QUIET_WINDOW_MS` overrides it.
   */
  quietWindowMs?: number;
}

export type ExitMode = 'code' | 'reraise' | false;

/** The resolved drain configuration: every number in ms, every default applied. */
export interface DrainSettings extends DrainTimes {
  readonly signals: readonly NodeJS.Signals[];
  readonly exitOnSignal: ExitMode;
  readonly onUncaughtException: 'exit' | 'drain';
  readonly gracePeriodMs?: number;
  /** Where gracePeriodMs came from, quoted in budget errors. */
  readonly gracePeriodSource?: string;
  /** What an over-budget configuration does; see `NodeLameduckOptions.budget`. */
  readonly budget: BudgetMode;
  readonly idleGraceMs: number;
  /** The keep-alive timeout attach() applies (a server's own longer one is kept when this is the default). */
  readonly keepAliveTimeoutMs: number;
  /** After the delay, how long no new non-probe request must come before idle connections close. */
  readonly quietWindowMs: number;
  /** Where keepAliveTimeoutMs came from, for the startup line. */
  readonly keepAliveTimeoutSource: Exclude<KeepAliveSource, 'server'>;
  readonly webSocketCloseSpreadMs: number;
}

export const DEFAULT_IDLE_GRACE_MS: number = ENVIRONMENT.idleGraceMs.defaultMs;
/** @deprecated use GRACE_PERIOD_VARIABLE from `@lameduck/core`. */
export const GRACE_PERIOD_ENV = GRACE_PERIOD_VARIABLE;
const DEFAULT_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** What `createNodeLameduck` takes beyond the model's options: the compiler keeps it in step with the type. */
export const NODE_OPTION_KEYS: Readonly<
  Record<Exclude<keyof NodeLameduckOptions, keyof DrainOptions>, true>
> = {
  signals: true,
  exitOnSignal: true,
  gracePeriodMs: true,
  budget: true,
  env: true,
  onUncaughtException: true,
  idleGraceMs: true,
  keepAliveTimeoutMs: true,
  webSocketCloseSpreadMs: true,
  quietWindowMs: true,
};
const ALL_OPTION_KEYS = { ...LAMEDUCK_OPTION_KEYS, ...DRAIN_OPTION_KEYS, ...NODE_OPTION_KEYS };

/**
 * Splits the options into the core lifecycle's and the drain engine's, and validates the latter.
 * Precedence, highest first: the environment (when `env` is not false), the option in code,
 * lameduck's default. `processEnv` is `process.env` in production; a parameter for tests.
 * `warnings` lists what the caller should log (variables of lameduck 0.1 that are now ignored).
 */
export function resolveNodeOptions(
  options: NodeLameduckOptions,
  processEnv: Env,
): { core: LameduckOptions; settings: DrainSettings; warnings: string[] } {
  if (options === null || typeof options !== 'object') {
    throw new LameduckConfigError(
      `createNodeLameduck options must be an object, got ${describeValue(options)}`,
    );
  }
  // Named as the adapters name it: every adapter's createLameduck takes these options.
  checkOptionKeys(options, ALL_OPTION_KEYS, 'createLameduck');
  const {
    signals,
    exitOnSignal,
    gracePeriodMs,
    budget,
    idleGraceMs,
    keepAliveTimeoutMs,
    webSocketCloseSpreadMs,
    quietWindowMs,
    env: envOption,
    onUncaughtException,
    ...rest
  } = options;
  if (
    onUncaughtException !== undefined &&
    onUncaughtException !== 'exit' &&
    onUncaughtException !== 'drain'
  ) {
    throw new LameduckConfigError(
      `onUncaughtException must be 'exit' (Node's default) or 'drain', got ${describeValue(onUncaughtException)}`,
    );
  }
  const env = resolveEnv(envOption, processEnv);
  const fromEnv = optionsFromEnv(env);
  const drain = resolveDrainTimes(rest, fromEnv, Boolean(env[KUBERNETES_VARIABLE]));
  const { times } = drain;
  // LAMEDUCK_PROBE_DETAIL reaches the model as probeDetail, over the option in code.
  const detail = parseProbeDetail(env[PROBE_DETAIL_VARIABLE]);
  if (!detail.ok) throw new LameduckConfigError(detail.message);
  const model = detail.value === undefined ? drain.model : { ...drain.model, probeDetail: detail.value };
  const grace = resolveGracePeriod(gracePeriodMs, env[GRACE_PERIOD_VARIABLE]);
  const mode =
    budgetMode(env[BUDGET_VARIABLE], BUDGET_VARIABLE) ??
    budgetMode(budget, 'budget') ??
    (grace.gracePeriodSource?.startsWith(GRACE_PERIOD_VARIABLE) ? 'fit' : 'refuse');
  const warnings = [
    ...legacyVariablesSet(env),
    ...unknownVariables(Object.keys(env)).map((unknown) => unknown.message),
  ];
  const fitted = fitToGracePeriod(times, grace, mode, warnings);
  return {
    core: model,
    settings: {
      ...fitted,
      budget: mode,
      signals: resolveSignals(signals),
      exitOnSignal: resolveExitMode(exitOnSignal),
      onUncaughtException: onUncaughtException ?? 'exit',
      idleGraceMs: durationOption(
        fromEnv.idleGraceMs === undefined ? 'idleGraceMs' : ENVIRONMENT.idleGraceMs.variable,
        fromEnv.idleGraceMs ?? idleGraceMs,
        ENVIRONMENT.idleGraceMs.defaultMs,
      ),
      quietWindowMs: durationOption(
        fromEnv.quietWindowMs === undefined ? 'quietWindowMs' : ENVIRONMENT.quietWindowMs.variable,
        fromEnv.quietWindowMs ?? quietWindowMs,
        ENVIRONMENT.quietWindowMs.defaultMs,
      ),
      ...resolveKeepAlive(keepAliveTimeoutMs, fromEnv.keepAliveTimeoutMs),
      webSocketCloseSpreadMs: resolveSpread(webSocketCloseSpreadMs, fromEnv, fitted.drainTimeoutMs, warnings),
      ...grace,
    },
    warnings,
  };
}

/**
 * The budget check at startup, from the settings alone (cleanup hooks share cleanupTimeoutMs, so
 * their number does not matter): refuses, or fits the times and adds the one warning line.
 */
function fitToGracePeriod(
  times: DrainTimes,
  grace: { gracePeriodMs?: number; gracePeriodSource?: string },
  mode: BudgetMode,
  warnings: string[],
): DrainTimes {
  const { gracePeriodMs, gracePeriodSource = 'gracePeriodMs' } = grace;
  if (gracePeriodMs === undefined || shutdownBudget({ ...times, gracePeriodMs }).fits) return times;
  if (mode === 'refuse') throw new LameduckConfigError(overBudgetMessage({ ...times, ...grace }));
  const fitted = fitShutdownBudget(times, gracePeriodMs).times;
  warnings.push(fittedMessage(times, fitted, gracePeriodMs, gracePeriodSource));
  return { ...times, ...fitted };
}

function resolveKeepAlive(
  option: unknown,
  fromEnv: number | undefined,
): Pick<DrainSettings, 'keepAliveTimeoutMs' | 'keepAliveTimeoutSource'> {
  // The option is validated even when the environment overrides it: a typo should not wait for a pod.
  const fromCode = option === undefined ? undefined : keepAliveTimeoutOption('keepAliveTimeoutMs', option);
  if (fromEnv !== undefined) {
    const variable = ENVIRONMENT.keepAliveTimeoutMs.variable;
    return {
      keepAliveTimeoutMs: keepAliveTimeoutOption(variable, fromEnv),
      keepAliveTimeoutSource: 'environment',
    };
  }
  if (fromCode !== undefined) return { keepAliveTimeoutMs: fromCode, keepAliveTimeoutSource: 'option' };
  return { keepAliveTimeoutMs: ENVIRONMENT.keepAliveTimeoutMs.defaultMs, keepAliveTimeoutSource: 'default' };
}

/** A quarter of the drain timeout unless set; never more than half, so the handshakes fit after it. */
function resolveSpread(
  option: number | undefined,
  fromEnv: { webSocketCloseSpreadMs?: number },
  drainTimeoutMs: number,
  warnings: string[],
): number {
  const name =
    fromEnv.webSocketCloseSpreadMs === undefined
      ? 'webSocketCloseSpreadMs'
      : ENVIRONMENT.webSocketCloseSpreadMs.variable;
  const asked = durationOption(
    name,
    fromEnv.webSocketCloseSpreadMs ?? option,
    Math.floor(drainTimeoutMs / 4),
  );
  const mostMs = Math.floor(drainTimeoutMs / 2);
  if (asked <= mostMs) return asked;
  warnings.push(
    `${name} ${asked} ms is more than half the drain timeout of ${drainTimeoutMs} ms, which would leave the last WebSockets no time for their closing handshake; it gets ${mostMs} ms. Fix: lower it to ${mostMs} or less, or raise the drain timeout`,
  );
  return mostMs;
}

function resolveEnv(option: NodeLameduckOptions['env'], processEnv: Env): Env {
  if (option === undefined || option === true) return processEnv;
  if (option === false) return {};
  if (typeof option === 'object' && option !== null && !Array.isArray(option)) return option;
  throw new LameduckConfigError(
    `env must be true (read process.env), false (read nothing) or an object of variables, got ${describeValue(option)}`,
  );
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
  // The option is validated even when the environment overrides it: a typo should not wait for a pod.
  const fromCode =
    option === undefined
      ? undefined
      : durationOption('gracePeriodMs', option, 0, { minMs: 1, maxMs: MAX_DURATION_MS });
  if (envValue === undefined || envValue.trim() === '') {
    if (fromCode === undefined) return {};
    return { gracePeriodMs: fromCode, gracePeriodSource: `gracePeriodMs: ${fromCode}` };
  }
  const parsed = parseGracePeriodSeconds(envValue);
  if (!parsed.ok) throw new LameduckConfigError(parsed.message);
  const seconds = parsed.value ?? 0;
  return { gracePeriodMs: seconds * 1000, gracePeriodSource: gracePeriodSource(seconds) };
}
