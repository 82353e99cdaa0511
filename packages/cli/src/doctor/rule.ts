import type { KubeObject } from '../kubernetes/manifest.js';
import { BATCH_KINDS, type Container, REPLICATED_KINDS, type Workload } from '../kubernetes/workload.js';
import type { Cluster } from './cluster.js';

/** How much a finding matters; `--fail-on` sets which of them make the exit status 1. */
export type Severity = 'error' | 'warning' | 'info';

export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/** Whether `severity` is at least as serious as `threshold`. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}

/** One finding, as printed (`file: Kind/name: rule: message — fix`) and as `--json` gives it. */
export interface Finding {
  file: string;
  /** Where the object (or the unreadable spot) starts, 1-based; absent for standard input problems. */
  line?: number;
  column?: number;
  kind: string;
  name: string;
  rule: string;
  severity: Severity;
  /** What is wrong, with the numbers that make it wrong. */
  message: string;
  /** What to change. */
  fix: string;
  /** Set when the object's `lameduck.dev/doctor-skip` annotation names the rule. */
  suppressed?: { reason: string };
}

/** What a rule reports; the engine adds the rule's id and the subject's file, kind and name. */
export interface Report {
  subject: KubeObject;
  message: string;
  fix: string;
  /** Overrides the rule's severity for this finding (e.g. a tool probe on an image that looks distroless). */
  severity?: Severity;
}

export interface Rule {
  /** Stable: scripts and `--json` consumers match on it. */
  id: string;
  /** One line for the README and `lameduck doctor --help`. */
  summary: string;
  /** The severity of its findings, unless a finding says otherwise. */
  severity: Severity;
  /** What it looks at, for the README's rule table: `served containers`, `every container`… */
  scope: string;
  check(cluster: Cluster): Report[];
}

/** Calls `check` for every container of every workload, batch kinds included. */
export function eachContainer(
  cluster: Cluster,
  check: (container: Container, workload: Workload) => Report | Report[] | undefined,
): Report[] {
  return cluster.workloads.flatMap((workload) =>
    workload.containers.flatMap((container) => check(container, workload) ?? []),
  );
}

/** Workloads whose pods run until stopped (not Jobs or CronJobs). */
export function longRunning(cluster: Cluster): Workload[] {
  return cluster.workloads.filter((workload) => !BATCH_KINDS.has(workload.kind));
}

/** Calls `check` for every container of every long-running workload. */
export function eachLongRunningContainer(
  cluster: Cluster,
  check: (container: Container, workload: Workload) => Report | Report[] | undefined,
): Report[] {
  return longRunning(cluster).flatMap((workload) =>
    workload.containers.flatMap((container) => check(container, workload) ?? []),
  );
}

/** Long-running workloads a Service in the files given sends traffic to (see ClusterIndex.servedContainers). */
export function servedWorkloads(cluster: Cluster): Workload[] {
  return longRunning(cluster).filter((workload) => cluster.index.servedContainers(workload).size > 0);
}

/** Served workloads that keep a number of identical pods (a PodDisruptionBudget can count them). */
export function servedReplicatedWorkloads(cluster: Cluster): Workload[] {
  return servedWorkloads(cluster).filter((workload) => REPLICATED_KINDS.has(workload.kind));
}

/** Calls `check` for every container a Service sends traffic to (see ClusterIndex.servedContainers). */
export function eachServedContainer(
  cluster: Cluster,
  check: (container: Container, workload: Workload) => Report | Report[] | undefined,
): Report[] {
  return servedWorkloads(cluster).flatMap((workload) => {
    const served = cluster.index.servedContainers(workload);
    return workload.containers
      .filter((container) => served.has(container))
      .flatMap((container) => check(container, workload) ?? []);
  });
}

/** `container "web"` — the way messages name a container. */
export function containerLabel(container: Container): string {
  return `container "${container.name}"`;
}

export function seconds(milliseconds: number): string {
  const value = milliseconds / 1000;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} s`;
}

/** A long command or script shortened for a one-line message. */
export function excerpt(value: string, max = 80): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
