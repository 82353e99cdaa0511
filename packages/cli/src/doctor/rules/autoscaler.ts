import type { Rule } from '../rule.js';

// With an autoscaler, `spec.replicas` in the manifest fights it: every apply (each rollout) sets
// the count back to the written number, and the autoscaler only scales up again a while later.
export const replicasWithAutoscaler: Rule = {
  id: 'replicas-with-autoscaler',
  summary: 'spec.replicas is written while an autoscaler owns the count: every apply resets it',
  severity: 'warning',
  scope: 'workloads a HorizontalPodAutoscaler targets',
  check(cluster) {
    return cluster.workloads.flatMap((workload) => {
      const { autoscaler } = cluster.index.replicaCount(workload);
      if (autoscaler === undefined || workload.replicas === undefined) return [];
      return [
        {
          subject: workload.object,
          message: `spec.replicas ${workload.replicas} is written while HorizontalPodAutoscaler/${autoscaler} scales it: every kubectl apply sets the count back to ${workload.replicas}, scaling a busy workload down in the middle of a rollout`,
          fix: 'remove spec.replicas from the manifest and let the autoscaler own the count (minReplicas 2 or more)',
        },
      ];
    });
  },
};
