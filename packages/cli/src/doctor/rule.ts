import type { Cluster } from './cluster.js';
import type { KubeObject } from './manifest.js';
import type { Container, Workload } from './workload.js';

/** One finding, as printed (`file: Kind/name: rule: message — fix`) and as `--json` gives it. */
export interface Finding {
  file: string;
  kind: string;
  name: string;
  rule: string;
  /** What is wrong, with the numbers that make it wrong. */
  message: string;
  /** What to change. */
  fix: string;
}

/** What a rule reports; the engine adds the rule's id and the subject's file, kind and name. */
export interface Report {
  subject: KubeObject;
  message: string;
  fix: string;
}

export interface Rule {
  /** Stable: scripts and `--json` consumers match on it. */
  id: string;
  /** One line for the README and `lameduck doctor --help`. */
  summary: string;
  check(cluster: Cluster): Report[];
}

/** Calls `check` for every container of every Deployment and StatefulSet. */
export function eachContainer(
  cluster: Cluster,
  check: (container: Container, workload: Workload) => Report | Report[] | undefined,
): Report[] {
  return cluster.workloads.flatMap((workload) =>
    workload.containers.flatMap((container) => check(container, workload) ?? []),
  );
}

/** `container "web"` — the way messages name a container. */
export function containerLabel(container: Container): string {
  return `container "${container.name}"`;
}

export function seconds(milliseconds: number): string {
  const value = milliseconds / 1000;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} s`;
}
