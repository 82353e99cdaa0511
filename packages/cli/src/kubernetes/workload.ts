import type { KubeObject } from './manifest.js';
import { count, type Fields, fields, items, labels, strings, text } from './values.js';

/** What a probe or a preStop hook does, reduced to what the rules compare. */
export type Handler =
  | {
      type: 'httpGet';
      path: string;
      port: number | string;
      host: string | undefined;
      scheme: string | undefined;
    }
  | { type: 'tcpSocket'; port: number | string }
  | { type: 'grpc'; port: number | string; service: string | undefined }
  | { type: 'exec'; command: string[] }
  /** `seconds` as written: 0 is a hook that does not pause; absent is not a valid hook (counted as 0). */
  | { type: 'sleep'; seconds: number }
  | { type: 'unknown' };

export type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';
export const PROBE_KINDS: readonly ProbeKind[] = ['startupProbe', 'readinessProbe', 'livenessProbe'];

export interface Probe {
  kind: ProbeKind;
  handler: Handler;
  initialDelaySeconds: number | undefined;
  /** As written, as are the three below; KUBERNETES_DEFAULTS has the kubelet's defaults. */
  timeoutSeconds: number | undefined;
  periodSeconds: number | undefined;
  failureThreshold: number | undefined;
  successThreshold: number | undefined;
}

export interface ContainerPort {
  name: string | undefined;
  containerPort: number;
}

export interface Container {
  name: string;
  /** As written; empty when the manifest leaves it out. */
  image: string;
  command: string[] | undefined;
  args: string[] | undefined;
  /** Only literal `value`s: a `valueFrom` cannot be known from the manifest alone. */
  env: Map<string, string>;
  /** Every variable the container sets, `valueFrom` included. */
  envNames: Set<string>;
  /** Named container ports, to compare `port: http` with `port: 8080`. */
  namedPorts: Map<string, number>;
  ports: ContainerPort[];
  preStop: Handler | undefined;
  probes: Partial<Record<ProbeKind, Probe>>;
  /** `lifecycle.stopSignal` (Kubernetes 1.33+): the signal the kubelet stops the container with; unset is the image's STOPSIGNAL, usually SIGTERM. */
  stopSignal: string | undefined;
}

/** The kinds whose pod template the doctor reads. */
export type WorkloadKind =
  | 'Deployment'
  | 'StatefulSet'
  | 'DaemonSet'
  | 'ReplicaSet'
  | 'ReplicationController'
  | 'Job'
  | 'CronJob'
  | 'Pod';

export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'CronJob',
  'Pod',
];

/** Kinds whose pods run to completion: no Service, probes or rollout rules apply to them. */
export const BATCH_KINDS: ReadonlySet<string> = new Set(['Job', 'CronJob']);

/** Kinds that keep a number of identical pods. */
export const REPLICATED_KINDS: ReadonlySet<string> = new Set([
  'Deployment',
  'StatefulSet',
  'ReplicaSet',
  'ReplicationController',
]);

export interface Workload {
  object: KubeObject;
  kind: WorkloadKind;
  /** As written; Kubernetes defaults an absent `replicas` to 1. */
  replicas: number | undefined;
  strategyType: string | undefined;
  maxUnavailable: unknown;
  /** As written: an IntOrString (`1`, `25%`), read with amount(). */
  maxSurge: unknown;
  minReadySeconds: number | undefined;
  podLabels: Record<string, string>;
  /** The pod template's annotations (the Pod's own for a bare Pod). */
  podAnnotations: Record<string, string>;
  terminationGracePeriodSeconds: number | undefined;
  containers: Container[];
  /**
   * Native sidecars: `initContainers` with `restartPolicy: Always` (Kubernetes 1.29 beta, GA 1.33).
   * They keep running beside the app and are stopped after every app container has exited, in the
   * same grace period.
   */
  sidecars: Container[];
  /** The pod's `readinessGates` condition types. */
  readinessGates: string[];
}

/** The workload in `object` (any kind in WORKLOAD_KINDS), or undefined for any other kind. */
export function toWorkload(object: KubeObject): Workload | undefined {
  if (!(WORKLOAD_KINDS as readonly string[]).includes(object.kind)) return undefined;
  const spec = fields(object.body.spec) ?? {};
  const template = podTemplate(object.kind as WorkloadKind, object.body, spec);
  const podSpec = fields(template.spec) ?? {};
  const strategy = fields(object.kind === 'Deployment' ? spec.strategy : spec.updateStrategy) ?? {};
  return {
    object,
    kind: object.kind as WorkloadKind,
    replicas: count(spec.replicas),
    strategyType: text(strategy.type),
    maxUnavailable: fields(strategy.rollingUpdate)?.maxUnavailable,
    maxSurge: fields(strategy.rollingUpdate)?.maxSurge,
    minReadySeconds: count(spec.minReadySeconds),
    podLabels: labels(fields(template.metadata)?.labels),
    podAnnotations: labels(fields(template.metadata)?.annotations),
    terminationGracePeriodSeconds: count(podSpec.terminationGracePeriodSeconds),
    containers: items(podSpec.containers).map(fields).filter(isDefined).map(toContainer),
    sidecars: items(podSpec.initContainers)
      .map(fields)
      .filter(isDefined)
      .filter((container) => container.restartPolicy === 'Always')
      .map(toContainer),
    readinessGates: items(podSpec.readinessGates)
      .map((gate) => text(fields(gate)?.conditionType))
      .filter(isDefined),
  };
}

/** `{metadata, spec}` of the pods: a Pod is its own template; a CronJob's sits one level deeper. */
function podTemplate(kind: WorkloadKind, body: Fields, spec: Fields): Fields {
  if (kind === 'Pod') return { metadata: body.metadata, spec: body.spec };
  if (kind === 'CronJob') return fields(fields(fields(spec.jobTemplate)?.spec)?.template) ?? {};
  return fields(spec.template) ?? {};
}

function toContainer(container: Fields, index: number): Container {
  const env = new Map<string, string>();
  const envNames = new Set<string>();
  for (const entry of items(container.env).map(fields)) {
    const name = text(entry?.name);
    if (name) envNames.add(name);
    const value = entry?.value;
    if (name && value !== undefined && value !== null && entry?.valueFrom === undefined)
      env.set(name, String(value));
  }
  const namedPorts = new Map<string, number>();
  const ports: ContainerPort[] = [];
  for (const port of items(container.ports).map(fields)) {
    const name = text(port?.name);
    const number = count(port?.containerPort);
    if (number !== undefined) ports.push({ name, containerPort: number });
    if (name && number !== undefined) namedPorts.set(name, number);
  }
  const probes: Container['probes'] = {};
  for (const kind of PROBE_KINDS) {
    const probe = fields(container[kind]);
    if (probe) {
      probes[kind] = {
        kind,
        handler: toHandler(probe),
        initialDelaySeconds: count(probe.initialDelaySeconds),
        timeoutSeconds: count(probe.timeoutSeconds),
        periodSeconds: count(probe.periodSeconds),
        failureThreshold: count(probe.failureThreshold),
        successThreshold: count(probe.successThreshold),
      };
    }
  }
  const lifecycle = fields(container.lifecycle);
  const preStop = fields(lifecycle?.preStop);
  return {
    name: text(container.name) ?? `#${index + 1}`,
    image: text(container.image) ?? '',
    command: strings(container.command),
    args: strings(container.args),
    env,
    envNames,
    namedPorts,
    ports,
    preStop: preStop ? toHandler(preStop) : undefined,
    probes,
    stopSignal: text(lifecycle?.stopSignal),
  };
}

function toHandler(handler: Fields): Handler {
  const httpGet = fields(handler.httpGet);
  if (httpGet) {
    return {
      type: 'httpGet',
      path: text(httpGet.path) ?? '/',
      port: portOf(httpGet.port),
      host: text(httpGet.host),
      scheme: text(httpGet.scheme),
    };
  }
  const tcpSocket = fields(handler.tcpSocket);
  if (tcpSocket) return { type: 'tcpSocket', port: portOf(tcpSocket.port) };
  const grpc = fields(handler.grpc);
  if (grpc) return { type: 'grpc', port: portOf(grpc.port), service: text(grpc.service) };
  const exec = fields(handler.exec);
  if (exec) return { type: 'exec', command: strings(exec.command) ?? [] };
  const sleep = fields(handler.sleep);
  if (sleep) return { type: 'sleep', seconds: count(sleep.seconds) ?? 0 };
  return { type: 'unknown' };
}

function portOf(value: unknown): number | string {
  return typeof value === 'number' ? value : String(value ?? '');
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

/** A port as a number when the container names it (`port: http` → 8080). */
export function resolvePort(container: Container, port: number | string): number | string {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return container.namedPorts.get(port) ?? port;
}

/** The basename of a command's program: `/usr/bin/curl` → `curl`. */
export function programName(command: readonly string[]): string {
  return (command[0] ?? '').split('/').pop() ?? '';
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh']);

/** The script of `sh -c "…"` (or bash, ash…), or undefined when the command is not one. */
export function shellScript(command: readonly string[]): string | undefined {
  if (!SHELLS.has(programName(command))) return undefined;
  const flag = command.findIndex((arg, index) => index > 0 && /^-[a-z]*c[a-z]*$/.test(arg));
  return flag === -1 ? undefined : (command[flag + 1] ?? '');
}

/**
 * Whether the image looks distroless (no shell, no coreutils): its name says distroless or
 * Chainguard, or the command runs node from distroless' `/nodejs/bin/node`.
 */
export function looksDistroless(container: Container): boolean {
  if (/distroless|chainguard|cgr\.dev\//i.test(container.image)) return true;
  return (container.command?.[0] ?? '').startsWith('/nodejs/bin/');
}
