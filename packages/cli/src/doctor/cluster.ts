import type { KubeObject } from './manifest.js';
import { labelSelectorMatches, serviceSelectorMatches } from './selectors.js';
import { count, fields, text } from './values.js';
import { toWorkload, type Workload } from './workload.js';

/** Every object from every file given in one run, so a PDB in one file covers a Deployment in another. */
export interface Cluster {
  objects: readonly KubeObject[];
  workloads: readonly Workload[];
}

export function toCluster(objects: readonly KubeObject[]): Cluster {
  const workloads = objects.map(toWorkload).filter((workload) => workload !== undefined);
  return { objects, workloads };
}

/** An object without `metadata.namespace` lands in whatever namespace kubectl is pointed at. */
export function sameNamespace(a: KubeObject, b: KubeObject): boolean {
  return a.namespace === undefined || b.namespace === undefined || a.namespace === b.namespace;
}

export function servicesSelecting(cluster: Cluster, workload: Workload): KubeObject[] {
  return cluster.objects.filter(
    (object) =>
      object.kind === 'Service' &&
      sameNamespace(object, workload.object) &&
      serviceSelectorMatches(fields(object.body.spec)?.selector, workload.podLabels),
  );
}

export function disruptionBudgetsSelecting(cluster: Cluster, workload: Workload): KubeObject[] {
  return cluster.objects.filter(
    (object) =>
      object.kind === 'PodDisruptionBudget' &&
      sameNamespace(object, workload.object) &&
      labelSelectorMatches(fields(object.body.spec)?.selector, workload.podLabels),
  );
}

export interface ReplicaCount {
  replicas: number;
  /** Where the number comes from, for messages: `replicas 1`, `replicas unset (1)`, `HPA web minReplicas 2`. */
  source: string;
}

/** The fewest pods the workload runs: `replicas` (default 1), or an HPA's `minReplicas` when one targets it. */
export function replicaCount(cluster: Cluster, workload: Workload): ReplicaCount {
  const autoscaler = cluster.objects.find((object) => {
    if (object.kind !== 'HorizontalPodAutoscaler' || !sameNamespace(object, workload.object)) return false;
    const target = fields(fields(object.body.spec)?.scaleTargetRef);
    return text(target?.kind) === workload.kind && text(target?.name) === workload.object.name;
  });
  if (autoscaler) {
    const minReplicas = count(fields(autoscaler.body.spec)?.minReplicas);
    return {
      replicas: minReplicas ?? 1,
      source: `HorizontalPodAutoscaler/${autoscaler.name} minReplicas ${minReplicas ?? 'unset (1)'}`,
    };
  }
  return {
    replicas: workload.replicas ?? 1,
    source: workload.replicas === undefined ? 'replicas unset (1)' : `replicas ${workload.replicas}`,
  };
}
