import { KUBERNETES_DEFAULTS } from '../../kubernetes/defaults.js';
import { amount, plural, resolveAmount, showAmount } from '../../kubernetes/values.js';
import { type Report, type Rule, servedWorkloads } from '../rule.js';

const FIX_ROLLING = 'set spec.strategy.rollingUpdate.maxUnavailable: 0 and maxSurge: 1';

/**
 * maxUnavailable above 0, including the default 25% a Deployment gets when it says nothing. A
 * warning where it stops pods at the replicas the manifest runs (or its autoscaler can reach); only
 * a note where it rounds to 0 there; nothing where an autoscaler's maxReplicas keeps it at 0.
 */
export const rolloutMaxUnavailable: Rule = {
  id: 'rollout-max-unavailable',
  summary:
    'maxUnavailable is not 0 (unset means 25%): a pod may stop before its replacement is ready (a note while it rounds to 0)',
  severity: 'warning',
  scope: 'Deployments a Service selects',
  check(cluster) {
    return servedWorkloads(cluster).flatMap((workload): Report[] => {
      if (workload.kind !== 'Deployment' || workload.strategyType === 'Recreate') return [];
      const written = workload.maxUnavailable;
      const value = amount(written ?? KUBERNETES_DEFAULTS.maxUnavailable);
      if (value?.value === 0) return [];
      const { replicas, source, maxReplicas, autoscaler } = cluster.index.replicaCount(workload);
      let described = `unset (Kubernetes defaults it to ${KUBERNETES_DEFAULTS.maxUnavailable})`;
      if (written !== undefined) described = value ? showAmount(value) : JSON.stringify(written);
      const report = (effect: string, severity: Report['severity'] = 'warning'): Report[] => [
        {
          subject: workload.object,
          severity,
          message: `maxUnavailable is ${described}: ${effect}`,
          fix: FIX_ROLLING,
        },
      ];
      if (!value) return report('an unreadable value');
      const resolved = resolveAmount(value, replicas, 'down');
      if (resolved > 0) {
        return report(
          `up to ${Math.min(resolved, replicas)} of ${plural(replicas, 'pod')} (${source}) may be stopped before a replacement is ready`,
        );
      }
      // A percentage that rounds to 0 now: it bites from this many replicas on.
      const bitesAt = Math.ceil(100 / value.value);
      if (maxReplicas !== undefined) {
        if (maxReplicas < bitesAt) return [];
        return report(
          `rounds down to 0 at ${source}, but HorizontalPodAutoscaler/${autoscaler} may scale to maxReplicas ${maxReplicas}, and from ${bitesAt} pods on a rollout stops ${showAmount(value)} of them before replacements are ready`,
        );
      }
      return report(
        `rounds down to 0 at ${source}, but stops ${showAmount(value)} of the pods once scaled to ${bitesAt} or more`,
        'info',
      );
    });
  },
};

export const rolloutRecreate: Rule = {
  id: 'rollout-recreate',
  summary: 'strategy Recreate stops every pod before any new one starts',
  severity: 'error',
  scope: 'Deployments a Service selects',
  check(cluster) {
    return servedWorkloads(cluster)
      .filter((workload) => workload.kind === 'Deployment' && workload.strategyType === 'Recreate')
      .map((workload) => ({
        subject: workload.object,
        message: `strategy is Recreate: all ${workload.replicas ?? KUBERNETES_DEFAULTS.replicas} pods stop before any replacement starts, so every rollout is an outage`,
        fix: 'set spec.strategy.type: RollingUpdate with rollingUpdate.maxUnavailable: 0 and maxSurge: 1',
      }));
  },
};
