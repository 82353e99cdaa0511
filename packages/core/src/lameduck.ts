import {
  CHECK_KINDS,
  type CheckEvent,
  type CheckFunction,
  type CheckKind,
  type CheckOptions,
  CheckRegistry,
  type CheckTransition,
  DEFAULT_CACHE_TTL_MS,
  DEFAULT_CHECK_TIMEOUT_MS,
  MAX_CHECK_DURATION_MS,
} from './checks.js';
import { describeValue } from './describe.js';
import { durationOption } from './duration.js';
import { LameduckConfigError } from './errors.js';
import { INTERNALS, type LifecycleInternals } from './internals.js';
import { type Logger, prefixedLogger, silentLogger, takesFields } from './logger.js';
import { checkOptionKeys } from './option-keys.js';
import { type ProbePaths, resolveProbePaths } from './paths.js';
import { evaluateProbe, type ProbeQuery, type ProbeReport } from './probe.js';
import { defaultProbeDetail, type ProbeDetail, probeDetailOption } from './probe-detail.js';
import { answerProbe, cachedAnswerFor, mayBeProbe, responderCache } from './respond.js';
import { type IgnoredTransition, type LifecycleState, type StateChange, StateMachine } from './states.js';
import { sanitise } from './text.js';

export interface LameduckOptions {
  /** Where lameduck logs transitions and problems. `console`, pino, winston; `false` for silence. Default `console`. */
  logger?: Logger | false;
  /**
   * Call the logger as `logger.info(fields, message)` (pino's shape), so log pipelines can filter
   * on `check`, `phase`, `durationMs`, `state`. Default: true for pino and bunyan loggers
   * (detected), false for anything else (`console`, winston), which gets one string per line.
   */
  logFields?: boolean;
  /**
   * Show failure reasons and check details in probe responses. Default false, because probes
   * may be reachable from outside; turn it on for a separate admin port.
   */
  exposeDetails?: boolean;
  /**
   * How much a probe's body says: `'status'` (the status line alone; pick it when the port is
   * public), `'names'` (check names and ok/failed, as kube-apiserver's `?verbose`), `'full'`
   * (durations, timestamps, the lifecycle state; reasons with `exposeDetails`). Default `'names'`,
   * `'full'` with `exposeDetails: true`. `LAMEDUCK_PROBE_DETAIL` overrides it on Node.
   */
  probeDetail?: ProbeDetail;
  /** Probe paths. Defaults: `/livez`, `/readyz`, `/startupz`. */
  paths?: Partial<Record<CheckKind, string>>;
  /** Put the default probe paths under a prefix, e.g. `/health` gives `/health/readyz`. */
  prefix?: string;
  /** Default timeout for checks that set none. Default 500 ms. */
  checkTimeoutMs?: number;
  /** Default readiness/startup cache TTL for checks that set none. Default 1000 ms. */
  cacheTtlMs?: number;
  /**
   * What readiness answers while the shutdown drains: `'fail'` (default) turns it 503 at once, so
   * endpoints drop the pod as early as possible; `'pass'` keeps it passing (while its checks
   * pass) until the process closes, for `externalTrafficPolicy: Local` and kube-proxy's
   * terminating-endpoint fallback, which only sends to terminating pods that still pass readiness.
   */
  readinessWhileDraining?: 'fail' | 'pass';
  /** Clock (ms since the epoch). For tests. */
  now?: () => number;
}

/** Every option `createLameduck` takes: the compiler keeps it in step with `LameduckOptions`. */
export const LAMEDUCK_OPTION_KEYS: Readonly<Record<keyof LameduckOptions, true>> = {
  logger: true,
  exposeDetails: true,
  probeDetail: true,
  paths: true,
  prefix: true,
  checkTimeoutMs: true,
  cacheTtlMs: true,
  readinessWhileDraining: true,
  now: true,
  logFields: true,
};

export interface LameduckEvents {
  state: StateChange;
  ignored: IgnoredTransition;
  /** Every fresh check result (a call that finished or timed out); cached results are not events. */
  check: CheckEvent;
}

/** One service's lifecycle: its state, its health checks, and the answers to its probes. */
export interface Lameduck {
  /** `starting`, `ready`, `draining` or `closed`. */
  readonly state: LifecycleState;
  /** Every transition so far, oldest first, with timestamps and reasons. */
  readonly history: readonly StateChange[];
  /** The probe paths in force. */
  readonly paths: ProbePaths;
  /** The logger lameduck writes to (prefixed with `[lameduck]`). */
  readonly logger: Logger;
  /** Registers a health check. Throws a LameduckConfigError for a bad name, a duplicate or a bad option. */
  check(name: string, fn: CheckFunction, options?: CheckOptions): this;
  /** Removes a check; returns whether one was registered under that name. */
  removeCheck(name: string): boolean;
  /** starting → ready: readiness may pass from now on. A no-op (false) in any other state. */
  ready(reason?: string): boolean;
  /**
   * → draining: readiness fails from this call on, liveness keeps passing. The drain engine
   * (`@lameduck/core/node`) calls this when a shutdown starts; call it yourself only without one.
   */
  drain(reason?: string): boolean;
  /** draining → closed: the last step of a shutdown. */
  close(reason?: string): boolean;
  /**
   * Subscribes to transitions (`state`), refused transitions (`ignored`) or fresh check results
   * (`check`). Returns an unsubscribe function.
   */
  on<E extends keyof LameduckEvents>(event: E, listener: (event: LameduckEvents[E]) => void): () => void;
  /**
   * Evaluates one probe and returns the structured report (for your own status page or metrics).
   * Throws a LameduckConfigError for an unknown kind. Adapters answer probe requests with the
   * adapter kit (`respondToProbe`, `respondToFetch`, `respondToNode`) instead.
   */
  probe(kind: CheckKind, query?: ProbeQuery): Promise<ProbeReport>;
}

/**
 * Creates a lifecycle. Nothing global happens here: no signal handlers, no timers, no I/O.
 * Attach servers and signals with `@lameduck/core/node` (or a framework adapter).
 */
export function createLameduck(options: LameduckOptions = {}): Lameduck {
  if (options === null || typeof options !== 'object') {
    throw new LameduckConfigError(`createLameduck options must be an object, got ${describeValue(options)}`);
  }
  checkOptionKeys(options, LAMEDUCK_OPTION_KEYS, 'createLameduck');
  if (options.exposeDetails !== undefined && typeof options.exposeDetails !== 'boolean') {
    throw new LameduckConfigError(
      `exposeDetails must be true or false, got ${describeValue(options.exposeDetails)}`,
    );
  }
  const logger = toLogger(options.logger, options.logFields);
  const now = options.now ?? Date.now;
  if (typeof now !== 'function') {
    throw new LameduckConfigError(
      `now must be a function returning ms since the epoch, got ${describeValue(now)}`,
    );
  }
  const paths = resolveProbePaths(options.paths, options.prefix);
  const exposeDetails = options.exposeDetails ?? false;
  const probeDetail = probeDetailOption(options.probeDetail) ?? defaultProbeDetail(exposeDetails);
  const readinessWhileDraining = options.readinessWhileDraining ?? 'fail';
  if (readinessWhileDraining !== 'fail' && readinessWhileDraining !== 'pass') {
    throw new LameduckConfigError(
      `readinessWhileDraining must be 'fail' or 'pass', got ${describeValue(readinessWhileDraining)}`,
    );
  }
  const machine = new StateMachine({ now, logger });
  const checkListeners = new Set<(event: CheckEvent) => void>();
  const registry = new CheckRegistry({
    now,
    onTransition: (transition) => logTransition(logger, transition),
    onResult: (event) => tellAll(checkListeners, event),
    defaults: {
      timeoutMs: durationOption('checkTimeoutMs', options.checkTimeoutMs, DEFAULT_CHECK_TIMEOUT_MS, {
        minMs: 1,
        maxMs: MAX_CHECK_DURATION_MS,
      }),
      cacheTtlMs: durationOption('cacheTtlMs', options.cacheTtlMs, DEFAULT_CACHE_TTL_MS, {
        minMs: 0,
        maxMs: MAX_CHECK_DURATION_MS,
      }),
    },
  });
  const policy = { readinessWhileDraining };
  const probe = (kind: CheckKind, query?: ProbeQuery) => {
    if (!CHECK_KINDS.includes(kind)) {
      throw new LameduckConfigError(
        `unknown probe kind ${describeValue(kind)}; use ${CHECK_KINDS.map((k) => `'${k}'`).join(', ')}`,
      );
    }
    return evaluateProbe(kind, machine, registry, query, policy);
  };
  const bases = [paths.readiness, paths.liveness, paths.startup];
  const context = {
    paths,
    bases,
    exposeDetails,
    probeDetail,
    knownCheck: (kind: CheckKind, name: string) => registry.has(name, kind),
    evaluate: (kind: CheckKind, query: ProbeQuery) => evaluateProbe(kind, machine, registry, query, policy),
    cache: responderCache(registry, machine, now),
  };

  const lameduck: Lameduck = {
    get state() {
      return machine.state;
    },
    get history() {
      return machine.history;
    },
    paths,
    logger,
    check(name, fn, checkOptions) {
      registry.add(name, fn, checkOptions);
      return lameduck;
    },
    removeCheck: (name) => registry.remove(name),
    ready(reason = 'ready() called') {
      // Results cached while starting (a dependency not up yet) must not hold readiness at 503.
      const changed = machine.transition('ready', reason);
      if (changed) registry.clearCache();
      return changed;
    },
    drain: (reason = 'drain() called') => machine.transition('draining', reason),
    close: (reason = 'close() called') => machine.transition('closed', reason),
    on(event, listener) {
      if (event === 'state') return machine.onChange(listener as (change: StateChange) => void);
      if (event === 'ignored') return machine.onIgnored(listener as (ignored: IgnoredTransition) => void);
      if (event === 'check') return subscribe(checkListeners, listener as (event: CheckEvent) => void);
      throw new LameduckConfigError(
        `unknown event ${describeValue(event)}; use 'state', 'ignored' or 'check'`,
      );
    },
    probe,
  };
  // Not part of the public type: what the adapter kit and the drain engine use.
  const internals: LifecycleInternals = {
    respond: (request) => answerProbe(context, request),
    isProbePath: (target) => mayBeProbe(bases, target),
    cachedAnswer: (method, target, accept) => cachedAnswerFor(context, method, target, accept),
    transition: (to, reason) => machine.transition(to, reason),
  };
  Object.defineProperty(lameduck, INTERNALS, { value: internals });
  return lameduck;
}

/**
 * Probe answers withhold failure reasons (they may be reachable from outside); the server's own
 * log never does. Once per change of status, not once per probe.
 */
function logTransition(logger: Logger, transition: CheckTransition): void {
  const label = `${transition.critical ? '' : 'non-critical '}check "${transition.name}"`;
  const lasted =
    transition.previousForMs === undefined
      ? ''
      : ` (after ${transition.previousForMs} ms ${transition.ok ? 'failing' : 'passing'})`;
  const error = transition.ok ? undefined : sanitise(transition.error ?? 'no reason given', 300);
  const fields = {
    check: transition.name,
    status: transition.ok ? 'pass' : transition.critical ? 'fail' : 'warn',
    critical: transition.critical,
    previousForMs: transition.previousForMs,
    error,
  };
  if (transition.ok) logger.info(`${label} passing again${lasted}`, fields);
  else logger.warn(`${label} failing${lasted}: ${error}`, fields);
}

function subscribe<T>(listeners: Set<(event: T) => void>, listener: (event: T) => void): () => void {
  if (typeof listener !== 'function') {
    throw new LameduckConfigError(`a listener must be a function, got ${describeValue(listener)}`);
  }
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Each listener is isolated: one that throws neither breaks a check nor silences the others. */
function tellAll<T>(listeners: ReadonlySet<(event: T) => void>, event: T): void {
  for (const listener of listeners) {
    try {
      listener(event);
    } catch {
      // A listener's bug must not change a check's result.
    }
  }
}

function toLogger(logger: LameduckOptions['logger'], logFields: boolean | undefined): Logger {
  if (logFields !== undefined && typeof logFields !== 'boolean') {
    throw new LameduckConfigError(`logFields must be true or false, got ${describeValue(logFields)}`);
  }
  if (logger === false) return silentLogger;
  if (logger === undefined) return prefixedLogger(console, logFields === true);
  for (const level of ['info', 'warn', 'error'] as const) {
    if (typeof logger?.[level] !== 'function') {
      throw new LameduckConfigError(
        `logger must have info, warn and error methods (console and pino loggers do); ${level} is ${describeValue(logger?.[level])}`,
      );
    }
  }
  // Call as methods, so pino-style loggers that rely on `this` keep working; a logger that
  // throws must not break a transition or a probe.
  const safely =
    (level: 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      try {
        Reflect.apply(logger[level], logger, args);
      } catch {
        // Nowhere left to report it.
      }
    };
  return prefixedLogger(
    { info: safely('info'), warn: safely('warn'), error: safely('error') },
    logFields ?? takesFields(logger),
  );
}
