import { KUBERNETES_DEFAULTS } from '../kubernetes/defaults.js';
import type { KubeObject } from '../kubernetes/manifest.js';
import { labelSelectorMatches, serviceSelectorMatches } from '../kubernetes/selectors.js';
import { count, fields, items, text } from '../kubernetes/values.js';
import { type Container, programName, toWorkload, type Workload } from '../kubernetes/workload.js';

/** Every object from every file given in one run, so a PDB in one file covers a Deployment in another. */
export interface Cluster {
  objects: readonly KubeObject[];
  workloads: readonly Workload[];
}

export function toCluster(objects: readonly KubeObject[]): Cluster {
  const workloads = objects.map(toWorkload).filter((workload) => workload !== undefined);
  return { objects, workloads };
}

/**
 * Whether two objects land in the same namespace. An object without `metadata.namespace` lands in
 * whatever namespace kubectl points at, which is not a namespace another object names: only two
 * unnamespaced objects (or two that name the same namespace) are taken to be together.
 */
export function sameNamespace(a: KubeObject, b: KubeObject): boolean {
  return a.namespace === b.namespace;
}

/** The objects of `kind` in the workload's namespace whose `spec.selector` selects its pods. */
function selecting(
  cluster: Cluster,
  workload: Workload,
  kind: string,
  matches: (selector: unknown, podLabels: Record<string, string>) => boolean,
): KubeObject[] {
  return cluster.objects.filter(
    (object) =>
      object.kind === kind &&
      sameNamespace(object, workload.object) &&
      matches(fields(object.body.spec)?.selector, workload.podLabels),
  );
}

export function servicesSelecting(cluster: Cluster, workload: Workload): KubeObject[] {
  return selecting(cluster, workload, 'Service', serviceSelectorMatches);
}

/** A port named for scraping or debugging (`metrics`, `http-metrics`, `pprof`…), not for traffic. */
export const METRICS_PORT = /(?:^|-)(?:metrics|prometheus|prom|telemetry|pprof|profiling|debug)(?:$|-)/i;

/** A container that only idles (`sleep infinity`, `tail -f /dev/null`, `pause`): a client shell, not a server. */
export function idles(container: Container): boolean {
  const argv = container.command ?? container.args ?? [];
  const program = programName(argv);
  return program === 'sleep' || program === 'pause' || (program === 'tail' && argv.includes('/dev/null'));
}

/**
 * The containers that Services send traffic to: those declaring a port a selecting Service
 * targets (`targetPort`, by number or name; `port` when unset). A Service port that no container
 * declares goes to the first container that does not just idle, which is where an undeclared
 * listener usually runs. Ports named for metrics are scraping, not traffic, and are left out.
 */
export function servedContainers(cluster: Cluster, workload: Workload): Set<Container> {
  const served = new Set<Container>();
  for (const service of servicesSelecting(cluster, workload)) {
    for (const port of items(fields(service.body.spec)?.ports).map(fields)) {
      const target = port?.targetPort ?? port?.port;
      if (
        METRICS_PORT.test(text(port?.name) ?? '') ||
        METRICS_PORT.test(typeof target === 'string' ? target : '')
      )
        continue;
      const number =
        typeof target === 'number' ? target : /^\d+$/.test(String(target)) ? Number(target) : undefined;
      const name = typeof target === 'string' && number === undefined ? target : undefined;
      const matching = workload.containers.filter((container) =>
        container.ports.some((declared) =>
          number !== undefined ? declared.containerPort === number : declared.name === name,
        ),
      );
      const first = workload.containers.find((container) => !idles(container));
      if (matching.length === 0 && first) served.add(first);
      for (const container of matching) served.add(container);
    }
  }
  return served;
}

export function disruptionBudgetsSelecting(cluster: Cluster, workload: Workload): KubeObject[] {
  return selecting(cluster, workload, 'PodDisruptionBudget', labelSelectorMatches);
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

export interface ReplicaCount {
  replicas: number;
  /** Where the number comes from, for messages: `replicas 1`, `replicas unset (1)`, `HPA web minReplicas 2`. */
  source: string;
  /** An autoscaler's `maxReplicas`, when one targets the workload. */
  maxReplicas?: number;
  /** The autoscaler's name, when one targets the workload. */
  autoscaler?: string;
}

/** The fewest pods the workload runs: `replicas` (default 1), or an HPA's `minReplicas` when one targets it. */
export function replicaCount(cluster: Cluster, workload: Workload): ReplicaCount {
  const autoscaler = cluster.objects.find((object) => {
    if (object.kind !== 'HorizontalPodAutoscaler' || !sameNamespace(object, workload.object)) return false;
    const target = fields(fields(object.body.spec)?.scaleTargetRef);
    return text(target?.kind) === workload.kind && text(target?.name) === workload.object.name;
  });
  if (autoscaler) {
    const spec = fields(autoscaler.body.spec);
    const minReplicas = count(spec?.minReplicas);
    const maxReplicas = count(spec?.maxReplicas);
    return {
      replicas: minReplicas ?? KUBERNETES_DEFAULTS.replicas,
      source: `HorizontalPodAutoscaler/${autoscaler.name} minReplicas ${minReplicas ?? 'unset (1)'}`,
      autoscaler: autoscaler.name,
      ...(maxReplicas === undefined ? {} : { maxReplicas }),
    };
  }
  return {
    replicas: workload.replicas ?? KUBERNETES_DEFAULTS.replicas,
    source: workload.replicas === undefined ? 'replicas unset (1)' : `replicas ${workload.replicas}`,
  };
}
