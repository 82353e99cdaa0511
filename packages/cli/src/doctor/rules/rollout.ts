import { DEFAULT_MAX_UNAVAILABLE } from '../defaults.js';
import type { Rule } from '../rule.js';
import { amount, plural, resolveAmount, showAmount } from '../values.js';

const FIX_ROLLING = 'set spec.strategy.rollingUpdate.maxUnavailable: 0 and maxSurge: 1';

/** maxUnavailable above 0, including the default 25% a Deployment gets when it says nothing. */
export const rolloutMaxUnavailable: Rule = {
  id: 'rollout-max-unavailable',
  summary: 'maxUnavailable is not 0 (unset means 25%): a pod may stop before its replacement is ready',
  check(cluster) {
    return cluster.workloads.flatMap((workload) => {
      if (workload.kind !== 'Deployment' || workload.strategyType === 'Recreate') return [];
      const written = workload.maxUnavailable;
      const value = amount(written ?? DEFAULT_MAX_UNAVAILABLE);
      if (value?.value === 0) return [];
      const replicas = workload.replicas ?? 1;
      let described = `unset (Kubernetes defaults it to ${DEFAULT_MAX_UNAVAILABLE})`;
      if (written !== undefined) described = value ? showAmount(value) : JSON.stringify(written);
      let effect: string;
      if (!value) {
        effect = 'an unreadable value';
      } else {
        const resolved = resolveAmount(value, replicas, 'down');
        effect =
          resolved > 0
            ? `up to ${Math.min(resolved, replicas)} of ${plural(replicas, 'pod')} may be stopped before a replacement is ready`
            : `rounds down to 0 at ${replicas} replicas, but stops ${showAmount(value)} of the pods once scaled to ${Math.ceil(100 / value.value)} or more`;
      }
      return [
        {
          subject: workload.object,
          message: `maxUnavailable is ${described}: ${effect}`,
          fix: FIX_ROLLING,
        },
      ];
    });
  },
};

export const rolloutRecreate: Rule = {
  id: 'rollout-recreate',
  summary: 'strategy Recreate stops every pod before any new one starts',
  check(cluster) {
    return cluster.workloads
      .filter((workload) => workload.kind === 'Deployment' && workload.strategyType === 'Recreate')
      .map((workload) => ({
        subject: workload.object,
        message: `strategy is Recreate: all ${workload.replicas ?? 1} pods stop before any replacement starts, so every rollout is an outage`,
        fix: 'set spec.strategy.type: RollingUpdate with rollingUpdate.maxUnavailable: 0 and maxSurge: 1',
      }));
  },
};
