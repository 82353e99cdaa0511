import { disruptionBudgetsSelecting, servicesSelecting } from '../cluster.js';
import type { Rule } from '../rule.js';

function showLabels(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}: ${value}`);
  return pairs.length === 0 ? 'no labels' : `{${pairs.join(', ')}}`;
}

export const noPodDisruptionBudget: Rule = {
  id: 'no-pod-disruption-budget',
  summary: 'no PodDisruptionBudget selects the pods: a node drain may evict all of them at once',
  check(cluster) {
    return cluster.workloads
      .filter((workload) => disruptionBudgetsSelecting(cluster, workload).length === 0)
      .map((workload) => ({
        subject: workload.object,
        message: `no PodDisruptionBudget in the files given selects its pods ${showLabels(workload.podLabels)}: a node drain or cluster upgrade may evict every pod at once`,
        fix: 'add a policy/v1 PodDisruptionBudget with maxUnavailable: 1 and a selector matching the pod labels',
      }));
  },
};

export const noService: Rule = {
  id: 'no-service',
  summary: 'no Service selects the pods: readiness decides nothing',
  check(cluster) {
    return cluster.workloads
      .filter((workload) => servicesSelecting(cluster, workload).length === 0)
      .map((workload) => ({
        subject: workload.object,
        message: `no Service in the files given selects its pods ${showLabels(workload.podLabels)}: there are no endpoints for readiness to take the pod out of`,
        fix: 'add a Service whose spec.selector matches the pod labels (or pass its file to lameduck doctor too)',
      }));
  },
};
