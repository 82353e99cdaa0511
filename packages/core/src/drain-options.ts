import { durationOption, MAX_DURATION_MS } from './duration.js';
import { ENVIRONMENT, type EnvironmentSettings } from './environment.js';
import type { LameduckOptions } from './lameduck.js';

/** The drain options of every runtime's engine (Node, Bun, Deno): one set of names and defaults. */
export interface DrainOptions extends LameduckOptions {
  /**
   * How long the listeners stay open after the shutdown starts, answering every request with
   * `Connection: close`, while load balancers learn that this pod is leaving. Default 5000 ms
   * when `KUBERNETES_SERVICE_HOST` is set (running in Kubernetes), else 0. Use 0 when the pod
   * already has a `preStop` sleep. `LAMEDUCK_DRAIN_DELAY_MS` in the environment overrides it.
   */
  drainDelayMs?: number;
  /**
   * After the listeners close, how long in-flight requests may take before they are cut.
   * Default 20000 ms. `LAMEDUCK_DRAIN_TIMEOUT_MS` overrides it.
   */
  drainTimeoutMs?: number;
  /** Default timeout of each hook that sets none. Default 5000 ms. `LAMEDUCK_HOOK_TIMEOUT_MS` overrides it. */
  hookTimeoutMs?: number;
  /**
   * The whole cleanup phase: every cleanup hook (a framework's own included) runs inside it, newest
   * first, each bounded by its own timeout and by what is left. Default 5000 ms; 0 runs none.
   * `LAMEDUCK_CLEANUP_TIMEOUT_MS` overrides it.
   */
  cleanupTimeoutMs?: number;
}

/** The options `DrainOptions` adds to the model's: the compiler keeps it in step with the type. */
export const DRAIN_OPTION_KEYS: Readonly<Record<Exclude<keyof DrainOptions, keyof LameduckOptions>, true>> = {
  drainDelayMs: true,
  drainTimeoutMs: true,
  hookTimeoutMs: true,
  cleanupTimeoutMs: true,
};

/** The drain's three durations, resolved: every number in ms, every default applied. */
export interface DrainTimes {
  readonly drainDelayMs: number;
  /** Where drainDelayMs came from, for the startup log line. */
  readonly drainDelaySource: 'environment' | 'option' | 'kubernetes' | 'default';
  readonly drainTimeoutMs: number;
  readonly hookTimeoutMs: number;
  readonly cleanupTimeoutMs: number;
}

/**
 * Splits options into the model's and the drain's three durations, resolved with what the
 * environment sets (`readEnvironment`). Precedence, highest first: the environment, the option in
 * code, lameduck's default; `LAMEDUCK_CHECK_TIMEOUT_MS` reaches the model as `checkTimeoutMs`. An
 * error quotes the variable when the value came from it.
 */
export function resolveDrainTimes(
  options: DrainOptions,
  fromEnv: EnvironmentSettings,
  inKubernetes: boolean,
): { model: LameduckOptions; times: DrainTimes } {
  const { drainDelayMs, drainTimeoutMs, hookTimeoutMs, cleanupTimeoutMs, ...model } = options;
  const pick = (
    option: keyof typeof DRAIN_OPTION_KEYS,
    value: number | undefined,
    fallback: number,
    minMs = 0,
  ) =>
    durationOption(
      fromEnv[option] === undefined ? option : ENVIRONMENT[option].variable,
      fromEnv[option] ?? value,
      fallback,
      { minMs, maxMs: MAX_DURATION_MS },
    );
  const delay = ENVIRONMENT.drainDelayMs;
  return {
    model:
      fromEnv.checkTimeoutMs === undefined ? model : { ...model, checkTimeoutMs: fromEnv.checkTimeoutMs },
    times: {
      drainDelayMs: pick(
        'drainDelayMs',
        drainDelayMs,
        inKubernetes ? delay.kubernetesDefaultMs : delay.defaultMs,
      ),
      drainDelaySource:
        fromEnv.drainDelayMs !== undefined
          ? 'environment'
          : drainDelayMs !== undefined
            ? 'option'
            : inKubernetes
              ? 'kubernetes'
              : 'default',
      drainTimeoutMs: pick('drainTimeoutMs', drainTimeoutMs, ENVIRONMENT.drainTimeoutMs.defaultMs),
      hookTimeoutMs: pick('hookTimeoutMs', hookTimeoutMs, ENVIRONMENT.hookTimeoutMs.defaultMs, 1),
      cleanupTimeoutMs: pick('cleanupTimeoutMs', cleanupTimeoutMs, ENVIRONMENT.cleanupTimeoutMs.defaultMs),
    },
  };
}
