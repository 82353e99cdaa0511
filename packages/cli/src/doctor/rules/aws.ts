import { ENV } from '../../kubernetes/defaults.js';
import { drainDelay, preStopPause } from '../../kubernetes/shutdown.js';
import { fields, labels } from '../../kubernetes/values.js';
import { isLameduck } from '../cluster.js';
import {
  awsIpFronts,
  type Front,
  frontLabel,
  frontsOf,
  namespaceOf,
  READINESS_GATE_CONDITION,
  READINESS_GATE_LABEL,
} from '../fronts.js';
import {
  containerLabel,
  eachServedContainer,
  longRunning,
  type Report,
  type Rule,
  seconds,
} from '../rule.js';
import { AWS_IP_TARGET_PAUSE_MS } from '../thresholds.js';

const GATE_DOCS =
  'https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/pod_readiness_gate/';
const EKS_DOCS = 'https://docs.aws.amazon.com/eks/latest/best-practices/load-balancing.html';

function listed(fronts: readonly Front[]): string {
  return [...new Set(fronts.map(frontLabel))].join(', ');
}

// Without the readiness gate a rollout goes on as soon as a new pod passes its own probe, while
// its target may still be `initial` in the target group and the old pods' targets `draining`: the
// load balancer can be left with no healthy target (the controller's own docs, GATE_DOCS).
export const awsReadinessGate: Rule = {
  id: 'aws-readiness-gate',
  summary: `an AWS load balancer sends to pod IPs (target-type ip, or a TargetGroupBinding) without the controller's pod readiness gate (namespace label ${READINESS_GATE_LABEL}: enabled); a note when the Namespace is not in the files given`,
  severity: 'warning',
  scope: 'long-running workloads behind an AWS load balancer with IP targets',
  check(cluster) {
    return longRunning(cluster).flatMap((workload): Report[] => {
      const fronts = awsIpFronts(cluster, workload);
      if (fronts.length === 0) return [];
      if (workload.readinessGates.some((gate) => READINESS_GATE_CONDITION.test(gate))) return [];
      const via = `${listed(fronts)} sends to its pod IPs (target-type ip)`;
      const fix = `label the namespace ${READINESS_GATE_LABEL}: enabled (${GATE_DOCS}), then restart the pods so the controller's webhook adds the gate`;
      const namespace = namespaceOf(cluster, workload);
      if (!namespace) {
        return [
          {
            subject: workload.object,
            severity: 'info',
            message: `${via}; the ${workload.object.namespace === undefined ? "pods' namespace is not named (no metadata.namespace) and its" : `Namespace ${workload.object.namespace} is not in the files given, so its`} label ${READINESS_GATE_LABEL} could not be checked: without it a rollout can leave the target group with no healthy target`,
            fix,
          },
        ];
      }
      const value = labels(fields(namespace.body.metadata)?.labels)[READINESS_GATE_LABEL];
      if (value === 'enabled') return [];
      return [
        {
          subject: workload.object,
          message: `${via}, but Namespace/${namespace.name} ${value === undefined ? 'has no label' : `has label ${READINESS_GATE_LABEL}: ${value}, not`} ${value === undefined ? READINESS_GATE_LABEL : 'enabled'}: the rollout does not wait for new targets to pass the load balancer's health check, so the target group can be left with only initial and draining targets`,
          fix,
        },
      ];
    });
  },
};

// The controller removes the target when the pod turns terminating; the load balancer keeps
// sending new requests to it for a while after that. EKS' best practices put a preStop pause in
// front of SIGTERM for exactly this (EKS_DOCS, "Gracefully handle the client requests").
export const awsDeregistrationPause: Rule = {
  id: 'aws-deregistration-pause',
  summary: `the pause before the listener closes (preStop sleep + ${ENV.drainDelay} for lameduck apps) is under ${AWS_IP_TARGET_PAUSE_MS / 1000} s behind an AWS load balancer with IP targets, which sends to a deregistering target for tens of seconds`,
  severity: 'warning',
  scope: 'containers a Service targets, behind an AWS load balancer with IP targets',
  check(cluster) {
    return eachServedContainer(cluster, (container, workload) => {
      const fronts = awsIpFronts(cluster, workload);
      if (fronts.length === 0) return undefined;
      const pause = preStopPause(container);
      // An httpGet preStop or a custom script may wait for the deregistration itself.
      if (pause?.how === 'other') return undefined;
      const sleepMs = (pause?.seconds ?? 0) * 1000;
      const lameduck = isLameduck(container, workload);
      const delay = drainDelay(container);
      if (lameduck && delay.unreadable) return undefined;
      const pauseMs = sleepMs + (lameduck ? delay.ms : 0);
      if (pauseMs >= AWS_IP_TARGET_PAUSE_MS) return undefined;
      const parts = lameduck
        ? `preStop ${seconds(sleepMs)} + ${ENV.drainDelay} ${delay.ms}${delay.isDefault ? ' (default in a pod)' : ''}`
        : `preStop ${seconds(sleepMs)}`;
      return {
        subject: workload.object,
        message: `${listed(fronts)} sends to pod IPs, and the load balancer goes on sending new requests to a target for tens of seconds after the controller deregisters it, but ${containerLabel(container)} keeps accepting for only ${parts} = ${seconds(pauseMs)} after the pod starts terminating`,
        fix: `pause ${AWS_IP_TARGET_PAUSE_MS / 1000} s or more: lifecycle.preStop.sleep.seconds: ${AWS_IP_TARGET_PAUSE_MS / 1000}${lameduck ? ` with ${ENV.drainDelay}=0` : ''}, and a terminationGracePeriodSeconds to match (${EKS_DOCS})`,
      };
    });
  },
};

/** A readiness probe's path without its query string. */
function pathOnly(path: string): string {
  return path.split('?')[0] ?? path;
}

// The load balancer's own health check decides where it sends, apart from the endpoints: pointed
// at another path than readiness (`/` by default), it keeps a pod whose readiness fails — a
// dependency down, or lameduck draining — in rotation.
export const awsHealthCheckPath: Rule = {
  id: 'aws-health-check-path',
  summary:
    "an AWS load balancer's health check path (alb.ingress.kubernetes.io/healthcheck-path, or the NLB's) is not the readiness probe's path; a note when an ALB in front of a lameduck app keeps its default `/`",
  severity: 'warning',
  scope: 'containers a Service targets with an httpGet readiness probe, behind an AWS load balancer',
  check(cluster) {
    return eachServedContainer(cluster, (container, workload) => {
      const readiness = container.probes.readinessProbe?.handler;
      if (readiness?.type !== 'httpGet') return undefined;
      const wanted = pathOnly(readiness.path);
      const fronts = frontsOf(cluster, workload).filter(
        (front) => front.kind === 'alb' || (front.kind === 'nlb' && front.healthCheckPath !== undefined),
      );
      const wrong = fronts.filter(
        (front) => front.healthCheckPath !== undefined && pathOnly(front.healthCheckPath.trim()) !== wanted,
      );
      const [first] = wrong;
      if (first) {
        return {
          subject: workload.object,
          message: `${listed(wrong)} health-checks ${first.healthCheckPath}, but ${containerLabel(container)} answers readiness on ${wanted}: the load balancer keeps a pod in rotation whose readiness fails`,
          fix: `set the health check path to ${wanted} (${first.kind === 'nlb' ? 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path' : 'alb.ingress.kubernetes.io/healthcheck-path'})`,
        };
      }
      const defaulted = fronts.filter((front) => front.kind === 'alb' && front.healthCheckPath === undefined);
      if (defaulted.length === 0 || !isLameduck(container, workload) || wanted === '/') return undefined;
      return {
        subject: workload.object,
        severity: 'info',
        message: `${listed(defaulted)} sets no alb.ingress.kubernetes.io/healthcheck-path, so the ALB health-checks / while ${containerLabel(container)} answers readiness on ${wanted}: it does not see the app fail readiness or start draining`,
        fix: `annotate the Ingress (or the Service) alb.ingress.kubernetes.io/healthcheck-path: ${wanted}`,
      };
    });
  },
};
