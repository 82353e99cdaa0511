import { fields, text } from '../../kubernetes/values.js';
import type { Workload } from '../../kubernetes/workload.js';
import { isLameduck } from '../cluster.js';
import { containerLabel, eachServedContainer, type Rule } from '../rule.js';

/**
 * `readinessWhileDraining` is an option in the app's code, which the doctor cannot read: a pod
 * annotation says it. `pass` declares that the app keeps readiness passing while it drains.
 */
export const READINESS_WHILE_DRAINING_ANNOTATION = 'lameduck.dev/readiness-while-draining';

function readinessPassesWhileDraining(workload: Workload): boolean {
  const annotation =
    workload.podAnnotations[READINESS_WHILE_DRAINING_ANNOTATION] ??
    text(fields(fields(workload.object.body.metadata)?.annotations)?.[READINESS_WHILE_DRAINING_ANNOTATION]);
  return annotation?.trim() === 'pass';
}

// With externalTrafficPolicy: Local the cloud load balancer health-checks each node
// (healthCheckNodePort) and kube-proxy sends a node's traffic only to its own pods, a terminating
// one only while it passes readiness (KEP-1669). lameduck fails readiness at once while draining,
// so a node whose pods are all terminating drops what the load balancer still sends it until its
// health check notices (https://kubernetes.io/docs/reference/networking/virtual-ips/#traffic-to-terminating-endpoints).
export const externalTrafficLocal: Rule = {
  id: 'external-traffic-local',
  summary: `a Service with externalTrafficPolicy: Local sends to a lameduck app not declared readinessWhileDraining: 'pass' (pod annotation ${READINESS_WHILE_DRAINING_ANNOTATION}: pass)`,
  severity: 'warning',
  scope: 'lameduck containers a Service with externalTrafficPolicy: Local targets',
  check(cluster) {
    return eachServedContainer(cluster, (container, workload) => {
      if (!isLameduck(container, workload) || readinessPassesWhileDraining(workload)) return undefined;
      const local = cluster.index
        .servicesSelecting(workload)
        .filter((service) => text(fields(service.body.spec)?.externalTrafficPolicy) === 'Local');
      if (local.length === 0) return undefined;
      return {
        subject: workload.object,
        message: `Service/${local.map((service) => service.name).join(', Service/')} has externalTrafficPolicy: Local and sends to ${containerLabel(container)}, whose readiness fails as soon as it drains: kube-proxy stops sending a node's traffic to its terminating pods while the load balancer's node health check still passes, so a node whose pods all drain drops connections`,
        fix: `pass readinessWhileDraining: 'pass' to lameduck in the app and annotate the pod template ${READINESS_WHILE_DRAINING_ANNOTATION}: pass, or use externalTrafficPolicy: Cluster`,
      };
    });
  },
};
