import type { Workload } from '../../kubernetes/workload.js';
import { METRICS_PORT } from '../cluster-index.js';
import { longRunning, type Rule, servedReplicatedWorkloads } from '../rule.js';

function showLabels(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}: ${value}`);
  return pairs.length === 0 ? 'no labels' : `{${pairs.join(', ')}}`;
}

export const noPodDisruptionBudget: Rule = {
  id: 'no-pod-disruption-budget',
  summary: 'no PodDisruptionBudget selects 2 or more served pods: a node drain may evict all of them at once',
  severity: 'warning',
  scope: 'Deployments, StatefulSets, ReplicaSets, ReplicationControllers a Service selects, from 2 replicas',
  check(cluster) {
    return servedReplicatedWorkloads(cluster)
      .filter((workload) => cluster.index.replicaCount(workload).replicas >= 2)
      .filter((workload) => cluster.index.disruptionBudgetsSelecting(workload).length === 0)
      .map((workload) => ({
        subject: workload.object,
        message: `no PodDisruptionBudget in the files given selects its pods ${showLabels(workload.podLabels)} (${cluster.index.replicaCount(workload).source}): a node drain or cluster upgrade may evict every pod at once`,
        fix: 'add a policy/v1 PodDisruptionBudget with maxUnavailable: 1 and a selector matching the pod labels',
      }));
  },
};

/**
 * A container that declares a port listens for something; without one it is a worker or a client.
 * Ports named for metrics are for scraping, which does not need a Service.
 */
function listens(workload: Workload): boolean {
  return workload.containers.some((container) =>
    container.ports.some((port) => !METRICS_PORT.test(port.name ?? '')),
  );
}

export const noService: Rule = {
  id: 'no-service',
  summary:
    'pods declare a containerPort (not a metrics one) but no Service selects them: readiness decides nothing',
  severity: 'warning',
  scope: 'long-running workloads that declare a containerPort not named for metrics',
  check(cluster) {
    return longRunning(cluster)
      .filter((workload) => listens(workload) && cluster.index.servicesSelecting(workload).length === 0)
      .map((workload) => ({
        subject: workload.object,
        message: `no Service in the files given selects its pods ${showLabels(workload.podLabels)}, though they declare ports: there are no endpoints for readiness to take the pod out of, and the traffic rules (readiness, shutdown pause, rollout, disruption budget) were not checked`,
        fix: 'add a Service whose spec.selector matches the pod labels (or pass its file to lameduck doctor too)',
      }));
  },
};
