import { KUBERNETES_DEFAULTS } from '../kubernetes/defaults.js';
import { type KubeObject, readManifests } from '../kubernetes/manifest.js';
import { preStopPause } from '../kubernetes/shutdown.js';
import { amount, resolveAmount } from '../kubernetes/values.js';
import { type Container, type Probe, toWorkload } from '../kubernetes/workload.js';
import { DrillError } from './errors.js';

// What the drill needs from a Deployment, with Kubernetes' defaults filled in for every field the
// manifest leaves out. Everything is in milliseconds from here on.

export type ProbeAction = { type: 'httpGet'; path: string } | { type: 'tcpSocket' };

export interface ProbeSpec {
  action: ProbeAction;
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  failureThreshold: number;
  successThreshold: number;
}

export interface Probes {
  startup?: ProbeSpec;
  readiness?: ProbeSpec;
  liveness?: ProbeSpec;
}

/** What the kubelet does between deleting the pod and sending SIGTERM. */
export type PreStop =
  | { type: 'none' }
  /** `preStop.sleep`, or an exec of `sleep N` — both are a pause of N seconds here. */
  | { type: 'sleep'; ms: number; how: 'sleep' | 'exec-sleep' }
  | { type: 'httpGet'; path: string };

export interface DrillSpec {
  file: string;
  name: string;
  container: string;
  strategy: 'RollingUpdate' | 'Recreate';
  replicas: number;
  /** Resolved against `replicas` the way the Deployment controller does (surge up, unavailable down). */
  maxSurge: number;
  maxUnavailable: number;
  minReadyMs: number;
  gracePeriodMs: number;
  /** Literal `env[].value`s of the container; `valueFrom` cannot be known and is left out. */
  env: Record<string, string>;
  probes: Probes;
  preStop: PreStop;
}

export interface SpecOverrides {
  replicas?: number;
}

/** Reads the first Deployment of the manifest files. */
export async function loadSpec(files: readonly string[], overrides: SpecOverrides = {}): Promise<DrillSpec> {
  const objects = await readManifests(files);
  const deployment = objects.find((object) => object.kind === 'Deployment');
  if (!deployment) {
    const kinds = [...new Set(objects.map((object) => object.kind))].join(', ') || 'nothing';
    throw new DrillError(`no Deployment in ${files.join(', ')} (found ${kinds})`);
  }
  return toSpec(deployment, overrides);
}

export function toSpec(deployment: KubeObject, overrides: SpecOverrides = {}): DrillSpec {
  const workload = toWorkload(deployment);
  const container = workload?.containers[0];
  const where = `${deployment.file}: Deployment/${deployment.name}`;
  if (!workload || !container) throw new DrillError(`${where} has no containers`);
  const replicas = overrides.replicas ?? workload.replicas ?? KUBERNETES_DEFAULTS.replicas;
  if (!Number.isInteger(replicas) || replicas < 1)
    throw new DrillError(`${where}: replicas must be 1 or more`);

  const surge = amount(workload.maxSurge ?? KUBERNETES_DEFAULTS.maxSurge);
  const unavailable = amount(workload.maxUnavailable ?? KUBERNETES_DEFAULTS.maxUnavailable);
  if (!surge)
    throw new DrillError(
      `${where}: maxSurge ${JSON.stringify(workload.maxSurge)} is not a number or a percentage`,
    );
  if (!unavailable) {
    throw new DrillError(
      `${where}: maxUnavailable ${JSON.stringify(workload.maxUnavailable)} is not a number or a percentage`,
    );
  }
  const maxSurge = resolveAmount(surge, replicas, 'up');
  let maxUnavailable = Math.min(resolveAmount(unavailable, replicas, 'down'), replicas);
  // The Deployment controller's fencepost: with both 0 it could never move, so one may be unavailable.
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;

  const probes: Probes = {};
  for (const [kind, key] of [
    ['startup', 'startupProbe'],
    ['readiness', 'readinessProbe'],
    ['liveness', 'livenessProbe'],
  ] as const) {
    const probe = container.probes[key];
    if (probe) probes[kind] = toProbe(probe, `${where}: ${key}`);
  }

  return {
    file: deployment.file,
    name: deployment.name,
    container: container.name,
    strategy: workload.strategyType === 'Recreate' ? 'Recreate' : 'RollingUpdate',
    replicas,
    maxSurge,
    maxUnavailable,
    minReadyMs: seconds(workload.minReadySeconds, KUBERNETES_DEFAULTS.minReadySeconds),
    gracePeriodMs: seconds(
      workload.terminationGracePeriodSeconds,
      KUBERNETES_DEFAULTS.terminationGracePeriodSeconds,
    ),
    env: Object.fromEntries(container.env),
    probes,
    preStop: toPreStop(container, `${where}: preStop`),
  };
}

function toProbe(probe: Probe, where: string): ProbeSpec {
  const { handler } = probe;
  let action: ProbeAction;
  if (handler.type === 'httpGet') {
    if (handler.scheme?.toUpperCase() === 'HTTPS')
      throw new DrillError(`${where}: HTTPS probes are not simulated`);
    action = { type: 'httpGet', path: handler.path };
  } else if (handler.type === 'tcpSocket') {
    action = { type: 'tcpSocket' };
  } else {
    const kind = handler.type === 'exec' || handler.type === 'grpc' ? handler.type : 'unknown';
    throw new DrillError(`${where}: ${kind} probes are not simulated (only httpGet and tcpSocket)`);
  }
  return {
    action,
    initialDelayMs: seconds(probe.initialDelaySeconds, KUBERNETES_DEFAULTS.initialDelaySeconds),
    periodMs: seconds(probe.periodSeconds, KUBERNETES_DEFAULTS.periodSeconds),
    timeoutMs: seconds(probe.timeoutSeconds, KUBERNETES_DEFAULTS.timeoutSeconds),
    failureThreshold: probe.failureThreshold ?? KUBERNETES_DEFAULTS.failureThreshold,
    successThreshold: probe.successThreshold ?? KUBERNETES_DEFAULTS.successThreshold,
  };
}

function toPreStop(container: Container, where: string): PreStop {
  const handler = container.preStop;
  if (!handler) return { type: 'none' };
  if (handler.type === 'httpGet') return { type: 'httpGet', path: handler.path };
  const pause = preStopPause(container);
  if (pause?.how === 'sleep') return { type: 'sleep', ms: pause.seconds * 1000, how: 'sleep' };
  if (pause?.how === 'exec-sleep' && pause.seconds !== undefined) {
    return { type: 'sleep', ms: pause.seconds * 1000, how: 'exec-sleep' };
  }
  throw new DrillError(`${where}: only sleep (native or exec'd) and httpGet hooks are simulated`);
}

function seconds(value: number | undefined, fallback: number): number {
  return (value ?? fallback) * 1000;
}
