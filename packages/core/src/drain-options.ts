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
}

/** The options `DrainOptions` adds to the model's: the compiler keeps it in step with the type. */
export const DRAIN_OPTION_KEYS: Readonly<Record<Exclude<keyof DrainOptions, keyof LameduckOptions>, true>> = {
  drainDelayMs: true,
  drainTimeoutMs: true,
  hookTimeoutMs: true,
};

/** The drain's three durations, resolved: every number in ms, every default applied. */
export interface DrainTimes {
  readonly drainDelayMs: number;
  /** Where drainDelayMs came from, for the startup log line. */
  readonly drainDelaySource: 'environment' | 'option' | 'kubernetes' | 'default';
  readonly drainTimeoutMs: number;
  readonly hookTimeoutMs: number;
}

/**
 * Resolves the drain's durations and the model's options from the options in code and what the
 * environment sets (`readEnvironment`). Precedence, highest first: the environment, the option
 * in code, lameduck's default. An error quotes the variable when the value came from it.
 */
export function resolveDrainTimes(
  options: Pick<DrainOptions, 'drainDelayMs' | 'drainTimeoutMs' | 'hookTimeoutMs' | 'checkTimeoutMs'>,
  fromEnv: EnvironmentSettings,
  inKubernetes: boolean,
): DrainTimes & { checkTimeoutMs?: number } {
  const pick = (option: 'drainDelayMs' | 'drainTimeoutMs' | 'hookTimeoutMs', fallback: number, minMs = 0) =>
    durationOption(
      fromEnv[option] === undefined ? option : ENVIRONMENT[option].variable,
      fromEnv[option] ?? options[option],
      fallback,
      { minMs, maxMs: MAX_DURATION_MS },
    );
  const delay = ENVIRONMENT.drainDelayMs;
  const checkTimeoutMs = fromEnv.checkTimeoutMs ?? options.checkTimeoutMs;
  return {
    drainDelayMs: pick('drainDelayMs', inKubernetes ? delay.kubernetesDefaultMs : delay.defaultMs),
    drainDelaySource:
      fromEnv.drainDelayMs !== undefined
        ? 'environment'
        : options.drainDelayMs !== undefined
          ? 'option'
          : inKubernetes
            ? 'kubernetes'
            : 'default',
    drainTimeoutMs: pick('drainTimeoutMs', ENVIRONMENT.drainTimeoutMs.defaultMs),
    hookTimeoutMs: pick('hookTimeoutMs', ENVIRONMENT.hookTimeoutMs.defaultMs, 1),
    ...(checkTimeoutMs === undefined ? {} : { checkTimeoutMs }),
  };
}
