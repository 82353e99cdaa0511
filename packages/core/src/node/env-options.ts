import {
  ENVIRONMENT,
  type EnvironmentOption,
  type EnvironmentSettings,
  LEGACY_VARIABLES,
  readEnvironment,
} from '../index.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The environment variables lameduck reads, and the options they set (see `ENVIRONMENT`). */
export const ENV_OPTIONS = Object.fromEntries(
  Object.entries(ENVIRONMENT).map(([option, entry]) => [entry.variable, option]),
) as { readonly [K in EnvironmentOption as (typeof ENVIRONMENT)[K]['variable']]: K };

export type EnvOptions = EnvironmentSettings;

/**
 * Reads the drain settings from the environment (`LAMEDUCK_DRAIN_DELAY_MS` and the others in
 * `ENVIRONMENT`). `createNodeLameduck` and every adapter already do this by default; call it
 * yourself only to see what a deployment sets. Unset or empty variables are left out; anything
 * but a whole number of milliseconds throws a LameduckConfigError naming the variable.
 */
export function optionsFromEnv(env: Env): EnvOptions {
  return readEnvironment((name) => env[name]);
}

/**
 * Variables lameduck 0.1 read (`DRAIN_DELAY_MS`, ...) that are set while their `LAMEDUCK_`
 * spelling is not: a manifest written for 0.1 whose settings would otherwise be ignored silently.
 */
export function legacyVariablesSet(env: Env): string[] {
  const warnings: string[] = [];
  for (const [option, legacy] of Object.entries(LEGACY_VARIABLES) as [EnvironmentOption, string][]) {
    const current = ENVIRONMENT[option].variable;
    const old = env[legacy];
    if (old !== undefined && old !== '' && (env[current] === undefined || env[current] === '')) {
      warnings.push(`${legacy} is set but lameduck reads ${current}; rename it in the manifest`);
    }
  }
  return warnings;
}
