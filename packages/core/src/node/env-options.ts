import { LameduckConfigError } from '../index.js';

/** The environment variables lameduck reads when asked to, and the options they set. */
export const ENV_OPTIONS = {
  DRAIN_DELAY_MS: 'drainDelayMs',
  DRAIN_TIMEOUT_MS: 'drainTimeoutMs',
  HOOK_TIMEOUT_MS: 'hookTimeoutMs',
  CHECK_TIMEOUT_MS: 'checkTimeoutMs',
} as const;

export type EnvOptions = { -readonly [K in keyof typeof ENV_OPTIONS as (typeof ENV_OPTIONS)[K]]?: number };

/**
 * Reads drain settings from the environment, so a Kubernetes manifest can tune them without a
 * rebuild: `createNodeLameduck({ ...optionsFromEnv(process.env) })`. Unset or empty variables
 * are left out (lameduck's defaults apply); anything but a whole number of milliseconds throws a
 * LameduckConfigError naming the variable.
 */
export function optionsFromEnv(env: Readonly<Record<string, string | undefined>>): EnvOptions {
  const options: EnvOptions = {};
  for (const [variable, option] of Object.entries(ENV_OPTIONS) as [
    keyof typeof ENV_OPTIONS,
    keyof EnvOptions,
  ][]) {
    const raw = env[variable]?.trim();
    if (raw === undefined || raw === '') continue;
    if (!/^\d{1,9}$/.test(raw)) {
      throw new LameduckConfigError(
        `${variable} must be a whole number of milliseconds (it sets ${option}), got "${raw.slice(0, 40)}"`,
      );
    }
    options[option] = Number(raw);
  }
  return options;
}
