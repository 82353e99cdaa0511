// The container's environment as the app reads it: core's parser, never a reading of our own, so
// the doctor accepts and refuses exactly what the app does, with the app's messages.
import {
  ENVIRONMENT,
  type EnvironmentInspection,
  type EnvironmentOption,
  GRACE_PERIOD_VARIABLE,
  inspectEnvironment,
  KUBERNETES_VARIABLE,
  parseEnvironmentValue,
  parseGracePeriodSeconds,
  type UnknownVariable,
  unknownVariables,
} from '@lameduck/core';
import type { Container } from './workload.js';

const OPTION_OF = new Map<string, EnvironmentOption>(
  (Object.keys(ENVIRONMENT) as EnvironmentOption[]).map((option) => [ENVIRONMENT[option].variable, option]),
);

/** Kubernetes sets KUBERNETES_SERVICE_HOST in every container, so the app sees it set. */
function podEnv(container: Container): (name: string) => string | undefined {
  return (name) =>
    name === KUBERNETES_VARIABLE ? (container.env.get(name) ?? 'set in every pod') : container.env.get(name);
}

/** Every verdict the app gives on the container's literal env (`valueFrom` values cannot be read). */
export function containerEnvironment(container: Container): EnvironmentInspection {
  return inspectEnvironment(podEnv(container));
}

/** How one of lameduck's ms variables reads: the number the app uses, or why there is none. */
export type EnvMs =
  | { readonly state: 'set'; readonly ms: number }
  | { readonly state: 'unset' }
  /** The app refuses it at startup (env-value-refused says so): no number to count. */
  | { readonly state: 'refused' };

/** One of ENVIRONMENT's variables in the container, read with the app's parser. */
export function envMs(container: Container, variable: string): EnvMs {
  const option = OPTION_OF.get(variable);
  if (option === undefined) throw new Error(`${variable} is not in @lameduck/core's ENVIRONMENT`);
  const parsed = parseEnvironmentValue(option, container.env.get(variable));
  if (!parsed.ok) return { state: 'refused' };
  return parsed.value === undefined ? { state: 'unset' } : { state: 'set', ms: parsed.value };
}

/** TERMINATION_GRACE_PERIOD_SECONDS as the app reads it; undefined when unset or refused. */
export function envGracePeriodSeconds(container: Container): number | undefined {
  const parsed = parseGracePeriodSeconds(container.env.get(GRACE_PERIOD_VARIABLE));
  return parsed.ok ? parsed.value : undefined;
}

/** The container's variable names that look meant for lameduck but are not read by it. */
export function ignoredVariables(container: Container): UnknownVariable[] {
  return unknownVariables(container.envNames);
}
