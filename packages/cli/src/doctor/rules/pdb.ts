import { amount, fields, plural, resolveAmount, showAmount } from '../../kubernetes/values.js';
import type { Report, Rule } from '../rule.js';

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

const EVICTION_POLICIES = ['IfHealthyBudget', 'AlwaysAllow'];

// With the default IfHealthyBudget, a running pod that is not ready may be evicted only while the
// budget has room. lameduck's readiness fails when a critical dependency does, on every pod at
// once: a node drain during that outage waits until the dependency comes back. Kubernetes'
// documentation recommends AlwaysAllow
// (https://kubernetes.io/docs/tasks/run-application/configure-pdb/#unhealthy-pod-eviction-policy).
export const pdbUnhealthyEvictionPolicy: Rule = {
  id: 'pdb-unhealthy-eviction-policy',
  summary:
    'a PodDisruptionBudget without unhealthyPodEvictionPolicy: AlwaysAllow: pods failing readiness block a drain (a note; a value the API rejects is an error)',
  severity: 'info',
  scope: 'PodDisruptionBudgets that select a workload',
  check(cluster) {
    return cluster.index
      .objectsOfKind('PodDisruptionBudget')
      .filter((budget) => cluster.index.workloadsSelectedBy(budget).length > 0)
      .flatMap((budget): Report[] => {
        const policy = fields(budget.body.spec)?.unhealthyPodEvictionPolicy;
        if (policy === 'AlwaysAllow') return [];
        if (policy !== undefined && !EVICTION_POLICIES.includes(String(policy))) {
          return [
            {
              subject: budget,
              severity: 'error',
              message: `unhealthyPodEvictionPolicy ${JSON.stringify(policy)} is not one the API server accepts (${EVICTION_POLICIES.join(' or ')}): the budget will not apply`,
              fix: 'set unhealthyPodEvictionPolicy: AlwaysAllow',
            },
          ];
        }
        const shown = policy === undefined ? 'unset (IfHealthyBudget)' : 'IfHealthyBudget';
        return [
          {
            subject: budget,
            message: `unhealthyPodEvictionPolicy ${shown}: a running pod that is not ready can be evicted only while the budget has room, so when readiness fails on several pods at once (a dependency down) kubectl drain waits on them until they recover`,
            fix: 'set unhealthyPodEvictionPolicy: AlwaysAllow (Kubernetes 1.27 beta, GA 1.31): an unready pod serves nothing the budget protects',
          },
        ];
      });
  },
};
