import {
  ENVIRONMENT,
  KUBERNETES_VARIABLE,
  LameduckConfigError,
  type LameduckOptions,
  readEnvironment,
} from '@lameduck/core';

/** The drain options of the Bun and Deno helpers: the Node adapters' names and defaults. */
export interface RuntimeLameduckOptions extends LameduckOptions {
  /**
   * How long the listener stays open after the shutdown starts, every response saying
   * `Connection: close`. Default 5000 ms when `KUBERNETES_SERVICE_HOST` is set, else 0.
   */
  drainDelayMs?: number;
  /** After the listener closes, how long in-flight requests may take. Default 20000 ms. */
  drainTimeoutMs?: number;
  /** Default timeout of each hook. Default 5000 ms. */
  hookTimeoutMs?: number;
  /** Signals that start the shutdown. Default `['SIGTERM', 'SIGINT']`; `false` for none. */
  signals?: readonly ('SIGTERM' | 'SIGINT' | 'SIGHUP')[] | false;
  /** Exit after a signal-driven shutdown: 0 when clean, 1 when anything was forced or failed. Default true. */
  exitOnSignal?: boolean;
  /**
   * Read `LAMEDUCK_DRAIN_DELAY_MS`, `LAMEDUCK_DRAIN_TIMEOUT_MS`, `LAMEDUCK_HOOK_TIMEOUT_MS` and
   * `LAMEDUCK_CHECK_TIMEOUT_MS` from the environment, where a variable that is set wins over the
   * option in code (as on Node). Default true; `false` reads nothing.
   */
  env?: boolean;
}

export interface RuntimeDrainSettings {
  readonly drainDelayMs: number;
  readonly drainTimeoutMs: number;
  readonly hookTimeoutMs: number;
  readonly signals: readonly string[];
  readonly exitOnSignal: boolean;
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'];

/**
 * Splits the model's options from the drain's and validates the latter, one line per mistake.
 * Precedence as on Node: the environment (read through `env`), the option in code, the default.
 */
export function resolveRuntimeOptions(
  options: RuntimeLameduckOptions,
  env: (name: string) => string | undefined,
): { model: LameduckOptions; settings: RuntimeDrainSettings } {
  if (options === null || typeof options !== 'object') {
    throw new LameduckConfigError('createLameduck options must be an object like { drainTimeoutMs: 20000 }');
  }
  const {
    drainDelayMs,
    drainTimeoutMs,
    hookTimeoutMs,
    signals,
    exitOnSignal,
    env: readEnv,
    ...rest
  } = options;
  if (signals !== undefined && signals !== false) {
    if (!Array.isArray(signals) || signals.some((signal) => !SIGNALS.includes(signal))) {
      throw new LameduckConfigError(`signals must be false or a list of ${SIGNALS.join(', ')}`);
    }
  }
  if (exitOnSignal !== undefined && typeof exitOnSignal !== 'boolean') {
    throw new LameduckConfigError('exitOnSignal must be true or false');
  }
  if (readEnv !== undefined && typeof readEnv !== 'boolean') {
    throw new LameduckConfigError('env must be true (read the environment) or false (read nothing)');
  }
  const get = readEnv === false ? () => undefined : env;
  const fromEnv = readEnvironment(get);
  const model: LameduckOptions =
    fromEnv.checkTimeoutMs === undefined ? rest : { ...rest, checkTimeoutMs: fromEnv.checkTimeoutMs };
  const inKubernetes = Boolean(get(KUBERNETES_VARIABLE));
  return {
    model,
    settings: {
      drainDelayMs: ms(
        'drainDelayMs',
        fromEnv.drainDelayMs ?? drainDelayMs,
        inKubernetes ? ENVIRONMENT.drainDelayMs.kubernetesDefaultMs : ENVIRONMENT.drainDelayMs.defaultMs,
      ),
      drainTimeoutMs: ms(
        'drainTimeoutMs',
        fromEnv.drainTimeoutMs ?? drainTimeoutMs,
        ENVIRONMENT.drainTimeoutMs.defaultMs,
      ),
      hookTimeoutMs: ms(
        'hookTimeoutMs',
        fromEnv.hookTimeoutMs ?? hookTimeoutMs,
        ENVIRONMENT.hookTimeoutMs.defaultMs,
      ),
      signals: signals === false ? [] : (signals ?? ['SIGTERM', 'SIGINT']),
      exitOnSignal: exitOnSignal ?? true,
    },
  };
}

function ms(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 600_000) {
    throw new LameduckConfigError(`${name} must be a whole number of milliseconds from 0 to 600000`);
  }
  return value;
}

/** PORT, else 8080; a bad PORT is one line naming it. */
export function portFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return 8080;
  if (!/^\d+$/.test(value) || Number(value) > 65_535) {
    throw new LameduckConfigError(`PORT must be an integer from 0 to 65535, got "${value.slice(0, 20)}"`);
  }
  return Number(value);
}
