import type { KubeObject } from '../kubernetes/manifest.js';
import { fields, text } from '../kubernetes/values.js';
import { type Container, toWorkload, type Workload } from '../kubernetes/workload.js';
import { ClusterIndex } from './cluster-index.js';

/** Every object from every file given in one run, so a PDB in one file covers a Deployment in another. */
export interface Cluster {
  objects: readonly KubeObject[];
  workloads: readonly Workload[];
  /**
   * Who selects, serves, budgets and scales whom, built once per run: rules ask it rather than
   * scanning `objects` for each workload (which is quadratic over a large render).
   */
  index: ClusterIndex;
}

export function toCluster(objects: readonly KubeObject[]): Cluster {
  const workloads = objects.map(toWorkload).filter((workload) => workload !== undefined);
  return { objects, workloads, index: new ClusterIndex(objects, workloads) };
}

/**
 * Whether two objects land in the same namespace. An object without `metadata.namespace` lands in
 * whatever namespace kubectl points at, which is not a namespace another object names: only two
 * unnamespaced objects (or two that name the same namespace) are taken to be together.
 */
export function sameNamespace(a: KubeObject, b: KubeObject): boolean {
  return a.namespace === b.namespace;
}

/**
 * The pod annotation that marks containers as lameduck apps when the manifest sets none of the
 * `LAMEDUCK_` variables: a comma-separated list of container names, or `*` for all of them.
 */
export const LAMEDUCK_ANNOTATION = 'lameduck.dev/containers';

/** A lameduck app: it sets a `LAMEDUCK_` variable, or the pod's annotation names it. */
export function isLameduck(container: Container, workload: Workload): boolean {
  if ([...container.envNames].some((name) => name.startsWith('LAMEDUCK_'))) return true;
  const annotation =
    workload.podAnnotations[LAMEDUCK_ANNOTATION] ??
    text(fields(fields(workload.object.body.metadata)?.annotations)?.[LAMEDUCK_ANNOTATION]);
  if (annotation === undefined) return false;
  const names = annotation.split(',').map((name) => name.trim());
  return names.includes('*') || names.includes(container.name);
}
