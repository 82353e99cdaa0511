// What sits in front of a workload's pods, read from the objects given: the AWS Load Balancer
// Controller's ALBs (Ingress) and NLBs (Service), its TargetGroupBindings, and ingress-nginx.
// Built once per run by walking the Ingresses, Services and bindings, never per workload.
import type { KubeObject } from '../kubernetes/manifest.js';
import { type Fields, fields, items, labels, text } from '../kubernetes/values.js';
import type { Workload } from '../kubernetes/workload.js';
import type { Cluster } from './cluster.js';

export type FrontKind = 'alb' | 'nlb' | 'target-group-binding' | 'ingress-nginx';

export interface Front {
  kind: FrontKind;
  /** The object that sets it up: the Ingress, the LoadBalancer Service or the TargetGroupBinding. */
  object: KubeObject;
  /** The Service whose pods it sends to. */
  service: KubeObject;
  /** AWS: the targets are pod IPs (`target-type: ip`), not nodes. */
  ipTargets: boolean;
  /** AWS: the health check path as written (the Service's annotation wins over the Ingress'). */
  healthCheckPath?: string;
}

export const ALB = {
  targetType: 'alb.ingress.kubernetes.io/target-type',
  healthCheckPath: 'alb.ingress.kubernetes.io/healthcheck-path',
} as const;
export const NLB = {
  targetType: 'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type',
  healthCheckPath: 'service.beta.kubernetes.io/aws-load-balancer-healthcheck-path',
} as const;
/** The namespace label that makes the controller inject its readiness gate into new pods. */
export const READINESS_GATE_LABEL = 'elbv2.k8s.aws/pod-readiness-gate-inject';
/** The condition types of the gates it injects (v2.x, and v1's older prefix). */
export const READINESS_GATE_CONDITION = /^target-health\.(?:elbv2\.k8s\.aws|alb\.ingress\.k8s\.aws)\//;

export function annotationsOf(object: KubeObject): Record<string, string> {
  return labels(fields(object.body.metadata)?.annotations);
}

/** The Ingress class's controller: from an IngressClass in the files given, else by its usual name. */
function ingressController(cluster: Cluster, ingress: KubeObject): 'alb' | 'ingress-nginx' | undefined {
  const annotations = annotationsOf(ingress);
  const className =
    text(fields(ingress.body.spec)?.ingressClassName) ?? annotations['kubernetes.io/ingress.class'];
  const ingressClass = cluster.index
    .objectsOfKind('IngressClass')
    .find((object) => className !== undefined && object.name === className);
  const controller = text(fields(ingressClass?.body.spec)?.controller);
  if (controller === 'ingress.k8s.aws/alb' || className === 'alb') return 'alb';
  if (controller === 'k8s.io/ingress-nginx' || className === 'nginx') return 'ingress-nginx';
  if (controller !== undefined) return undefined;
  const keys = Object.keys(annotations);
  if (keys.some((key) => key.startsWith('alb.ingress.kubernetes.io/'))) return 'alb';
  if (keys.some((key) => key.startsWith('nginx.ingress.kubernetes.io/'))) return 'ingress-nginx';
  return undefined;
}

/** The Service names an Ingress routes to (networking.k8s.io/v1, and v1beta1's serviceName). */
function backendServiceNames(ingress: KubeObject): string[] {
  const spec = fields(ingress.body.spec) ?? {};
  const backends: (Fields | undefined)[] = [fields(spec.defaultBackend), fields(spec.backend)];
  for (const rule of items(spec.rules).map(fields)) {
    for (const path of items(fields(rule?.http)?.paths).map(fields)) backends.push(fields(path?.backend));
  }
  const names = backends.map((backend) => text(fields(backend?.service)?.name) ?? text(backend?.serviceName));
  return [...new Set(names.filter((name) => name !== undefined))];
}

const frontsByCluster = new WeakMap<Cluster, Map<Workload, Front[]>>();

function build(cluster: Cluster): Map<Workload, Front[]> {
  const byWorkload = new Map<Workload, Front[]>();
  const services = new Map<string, KubeObject>();
  for (const service of cluster.index.objectsOfKind('Service'))
    services.set(JSON.stringify([service.namespace ?? null, service.name]), service);
  const serviceNamed = (object: KubeObject, name: string) =>
    services.get(JSON.stringify([object.namespace ?? null, name]));
  const add = (front: Front) => {
    for (const workload of cluster.index.workloadsSelectedBy(front.service)) {
      const list = byWorkload.get(workload) ?? [];
      list.push(front);
      byWorkload.set(workload, list);
    }
  };
  for (const ingress of cluster.index.objectsOfKind('Ingress')) {
    const controller = ingressController(cluster, ingress);
    if (controller === undefined) continue;
    for (const name of backendServiceNames(ingress)) {
      const service = serviceNamed(ingress, name);
      if (!service) continue;
      if (controller === 'ingress-nginx') {
        add({ kind: 'ingress-nginx', object: ingress, service, ipTargets: true });
        continue;
      }
      const onService = annotationsOf(service);
      const onIngress = annotationsOf(ingress);
      const targetType = onService[ALB.targetType] ?? onIngress[ALB.targetType] ?? 'instance';
      const healthCheckPath = onService[ALB.healthCheckPath] ?? onIngress[ALB.healthCheckPath];
      add({
        kind: 'alb',
        object: ingress,
        service,
        ipTargets: targetType.trim() === 'ip',
        ...(healthCheckPath === undefined ? {} : { healthCheckPath }),
      });
    }
  }
  for (const service of cluster.index.objectsOfKind('Service')) {
    const annotations = annotationsOf(service);
    if (text(fields(service.body.spec)?.type) !== 'LoadBalancer' || annotations[NLB.targetType] === undefined)
      continue;
    const healthCheckPath = annotations[NLB.healthCheckPath];
    add({
      kind: 'nlb',
      object: service,
      service,
      ipTargets: annotations[NLB.targetType]?.trim() === 'ip',
      ...(healthCheckPath === undefined ? {} : { healthCheckPath }),
    });
  }
  for (const binding of cluster.index.objectsOfKind('TargetGroupBinding')) {
    const spec = fields(binding.body.spec);
    const name = text(fields(spec?.serviceRef)?.name);
    const service = name === undefined ? undefined : serviceNamed(binding, name);
    if (!service) continue;
    add({
      kind: 'target-group-binding',
      object: binding,
      service,
      ipTargets: text(spec?.targetType) === 'ip',
    });
  }
  return byWorkload;
}

/** The fronts that send to the workload's pods, in the order their objects were given. */
export function frontsOf(cluster: Cluster, workload: Workload): readonly Front[] {
  let built = frontsByCluster.get(cluster);
  if (!built) {
    built = build(cluster);
    frontsByCluster.set(cluster, built);
  }
  return built.get(workload) ?? [];
}

/** `Ingress/web`, `Service/web`: how messages name the object that sets a front up. */
export function frontLabel(front: Front): string {
  return `${front.object.kind}/${front.object.name}`;
}

/** The fronts that are AWS load balancers sending to pod IPs. */
export function awsIpFronts(cluster: Cluster, workload: Workload): Front[] {
  return frontsOf(cluster, workload).filter((front) => front.kind !== 'ingress-nginx' && front.ipTargets);
}

/** The workload's Namespace object, when the files given have it. */
export function namespaceOf(cluster: Cluster, workload: Workload): KubeObject | undefined {
  const name = workload.object.namespace;
  if (name === undefined) return undefined;
  return cluster.index.objectsOfKind('Namespace').find((object) => object.name === name);
}
