import { amount, fields, plural, resolveAmount, showAmount } from '../../kubernetes/values.js';
import type { Rule } from '../rule.js';

// A budget that allows no disruption does not protect the pods: it makes `kubectl drain` and
// node upgrades wait forever until someone deletes the pod by hand.
export const pdbBlocksEviction: Rule = {
  id: 'pdb-blocks-eviction',
  summary: 'a PodDisruptionBudget allows 0 disruptions (maxUnavailable 0, minAvailable ≥ pods): drains hang',
  severity: 'error',
  scope: 'PodDisruptionBudgets',
  check(cluster) {
    return cluster.index.objectsOfKind('PodDisruptionBudget').flatMap((budget) => {
      const workloads = cluster.index.workloadsSelectedBy(budget);
      if (workloads.length === 0) return [];
      const counts = workloads.map((workload) => cluster.index.replicaCount(workload));
      const pods = counts.reduce((sum, { replicas }) => sum + replicas, 0);
      const spec = fields(budget.body.spec) ?? {};
      const maxUnavailable = amount(spec.maxUnavailable);
      const minAvailable = amount(spec.minAvailable);
      let allowed: number;
      let rule: string;
      if (maxUnavailable) {
        allowed = resolveAmount(maxUnavailable, pods, 'up');
        rule = `maxUnavailable ${showAmount(maxUnavailable)}`;
      } else if (minAvailable) {
        allowed = pods - resolveAmount(minAvailable, pods, 'up');
        rule = `minAvailable ${showAmount(minAvailable)}`;
      } else {
        return [];
      }
      if (allowed > 0) return [];
      const selected = workloads
        .map((workload, index) => `${workload.kind}/${workload.object.name} (${counts[index]?.source})`)
        .join(', ');
      return [
        {
          subject: budget,
          message: `${rule} allows 0 disruptions of ${plural(pods, 'pod')} from ${selected}: kubectl drain and node upgrades wait on these pods forever`,
          fix: 'set maxUnavailable: 1 (not minAvailable), and run 2 or more replicas',
        },
      ];
    });
  },
};
