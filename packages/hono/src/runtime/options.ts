import {
  checkOptionKeys,
  DRAIN_OPTION_KEYS,
  type DrainOptions,
  type DrainTimes,
  KUBERNETES_VARIABLE,
  LAMEDUCK_OPTION_KEYS,
  LameduckConfigError,
  type LameduckOptions,
  PROBE_DETAIL_VARIABLE,
  parseProbeDetail,
  readEnvironment,
  resolveDrainTimes,
} from '@lameduck/core';

/** The options of the Bun and Deno helpers: the Node adapters' drain options and defaults. */
export interface RuntimeLameduckOptions extends DrainOptions {
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

export interface RuntimeDrainSettings extends Omit<DrainTimes, 'drainDelaySource'> {
  readonly signals: readonly string[];
  readonly exitOnSignal: boolean;
}

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'];

const RUNTIME_OPTION_KEYS: Readonly<Record<Exclude<keyof RuntimeLameduckOptions, keyof DrainOptions>, true>> =
  {
    signals: true,
    exitOnSignal: true,
    env: true,
  };
const ALL_OPTION_KEYS = { ...LAMEDUCK_OPTION_KEYS, ...DRAIN_OPTION_KEYS, ...RUNTIME_OPTION_KEYS };

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
  checkOptionKeys(options, ALL_OPTION_KEYS, 'createLameduck');
  const { signals, exitOnSignal, env: readEnv, ...rest } = options;
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
  const {
    model,
    times: { drainDelaySource: _source, ...times },
  } = resolveDrainTimes(rest, readEnvironment(get), Boolean(get(KUBERNETES_VARIABLE)));
  // LAMEDUCK_PROBE_DETAIL reaches the model as on Node, over the option in code.
  const detail = parseProbeDetail(get(PROBE_DETAIL_VARIABLE));
  if (!detail.ok) throw new LameduckConfigError(detail.message);
  return {
    model: detail.value === undefined ? model : { ...model, probeDetail: detail.value },
    settings: {
      ...times,
      signals: signals === false ? [] : (signals ?? ['SIGTERM', 'SIGINT']),
      exitOnSignal: exitOnSignal ?? true,
    },
  };
}

/** PORT, else 8080; a bad PORT is one line naming it. */
export function portFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return 8080;
  if (!/^\d+$/.test(value) || Number(value) > 65_535) {
    throw new LameduckConfigError(`PORT must be an integer from 0 to 65535, got "${value.slice(0, 20)}"`);
  }
  return Number(value);
}
