import { fields, items, text } from '../../kubernetes/values.js';
import { WORKLOAD_KINDS } from '../../kubernetes/workload.js';
import type { Rule } from '../rule.js';

/** API versions a current cluster no longer serves, by kind: [removed in, use instead]. */
const REMOVED: Record<string, Record<string, [string, string]>> = {
  'extensions/v1beta1': {
    Deployment: ['1.16', 'apps/v1'],
    DaemonSet: ['1.16', 'apps/v1'],
    ReplicaSet: ['1.16', 'apps/v1'],
    Ingress: ['1.22', 'networking.k8s.io/v1'],
    NetworkPolicy: ['1.16', 'networking.k8s.io/v1'],
    PodSecurityPolicy: ['1.16', 'policy/v1beta1, itself removed in 1.25: Pod Security Admission'],
  },
  'apps/v1beta1': {
    Deployment: ['1.16', 'apps/v1'],
    StatefulSet: ['1.16', 'apps/v1'],
  },
  'apps/v1beta2': {
    Deployment: ['1.16', 'apps/v1'],
    StatefulSet: ['1.16', 'apps/v1'],
    DaemonSet: ['1.16', 'apps/v1'],
    ReplicaSet: ['1.16', 'apps/v1'],
  },
  'policy/v1beta1': {
    PodDisruptionBudget: ['1.25', 'policy/v1'],
    PodSecurityPolicy: ['1.25', 'Pod Security Admission'],
  },
  'batch/v1beta1': { CronJob: ['1.25', 'batch/v1'] },
  'autoscaling/v2beta1': { HorizontalPodAutoscaler: ['1.25', 'autoscaling/v2'] },
  'autoscaling/v2beta2': { HorizontalPodAutoscaler: ['1.26', 'autoscaling/v2'] },
  'networking.k8s.io/v1beta1': { Ingress: ['1.22', 'networking.k8s.io/v1'] },
};

export const removedApiVersion: Rule = {
  id: 'removed-api-version',
  summary:
    'an apiVersion current clusters no longer serve (extensions/v1beta1, policy/v1beta1…): it will not apply',
  severity: 'error',
  scope: 'every object',
  check(cluster) {
    return cluster.objects.flatMap((object) => {
      const apiVersion = text(object.body.apiVersion) ?? '';
      const removal = REMOVED[apiVersion]?.[object.kind];
      if (!removal) return [];
      const [release, replacement] = removal;
      return [
        {
          subject: object,
          message: `apiVersion ${apiVersion} of ${object.kind} was removed in Kubernetes ${release}: a current cluster rejects the manifest`,
          fix: `use ${replacement}${object.kind === 'Deployment' || object.kind === 'DaemonSet' || object.kind === 'ReplicaSet' ? ' (which requires spec.selector)' : ''}`,
        },
      ];
    });
  },
};

/** Pods the doctor does not read: a pod template in a kind it does not know (Argo Rollout, Knative…). */
export const kindNotChecked: Rule = {
  id: 'kind-not-checked',
  summary:
    'an object of another kind has a pod template (Argo Rollout, Knative Service…): its pods are not checked',
  severity: 'info',
  scope: 'objects with a pod template, of other kinds',
  check(cluster) {
    return cluster.objects.flatMap((object) => {
      if ((WORKLOAD_KINDS as readonly string[]).includes(object.kind)) return [];
      const spec = fields(object.body.spec);
      const template = fields(spec?.template) ?? fields(fields(fields(spec?.jobTemplate)?.spec)?.template);
      if (items(fields(template?.spec)?.containers).length === 0) return [];
      return [
        {
          subject: object,
          message: `${object.kind} is not a kind lameduck doctor reads: the containers of its pod template were not checked`,
          fix: 'check its pods by hand against the rules, or render an equivalent Deployment',
        },
      ];
    });
  },
};
