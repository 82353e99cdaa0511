import { type Rule, servedReplicatedWorkloads } from '../rule.js';

export const replicasBelowTwo: Rule = {
  id: 'replicas-below-two',
  summary: 'fewer than 2 replicas of served pods: a node drain or a crash leaves nothing to serve',
  severity: 'warning',
  scope: 'Deployments, StatefulSets, ReplicaSets, ReplicationControllers a Service selects',
  check(cluster) {
    return servedReplicatedWorkloads(cluster).flatMap((workload) => {
      const { replicas, source } = cluster.index.replicaCount(workload);
      // 0 is a deliberate scale-down, not a mistake.
      if (replicas === 0 || replicas >= 2) return [];
      return [
        {
          subject: workload.object,
          message: `${source}: while that one pod is evicted, rescheduled or crashing, no other pod serves`,
          fix: 'set replicas: 2 or more (or minReplicas: 2 on its HorizontalPodAutoscaler)',
        },
      ];
    });
  },
};
