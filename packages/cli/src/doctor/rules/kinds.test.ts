import { describe, expect, it } from 'vitest';
import { cleanWith, cleanYaml, findings } from '../../../test/helpers.js';

const [deployment = '', service = ''] = cleanYaml.split('\n---\n');

describe('workload kinds', () => {
  it('checks a DaemonSet for what applies: no replicas, rollout or disruption-budget rules', () => {
    const daemonSet = deployment
      .replace('kind: Deployment', 'kind: DaemonSet')
      .replace('  replicas: 3\n', '')
      .replace(/ {2}strategy:\n(?: {4}.*\n)+/, '')
      .replace(/ {10}readinessProbe:\n(?: {12}.*\n)+/, '');
    expect(findings([daemonSet, service]).map((finding) => finding.rule)).toEqual(['readiness-missing']);
  });

  it('checks a CronJob and a Job for signals and (lameduck apps) grace, not probes or Services', () => {
    const cronJob = `apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  schedule: "0 3 * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          terminationGracePeriodSeconds: 2\n          restartPolicy: OnFailure\n          containers:\n            - name: job\n              image: busybox\n              command: [npm, run, report]\n              env: [{name: LAMEDUCK_DRAIN_TIMEOUT_MS, value: "1000"}]\n              ports: [{containerPort: 80}]\n`;
    expect(findings(cronJob).map((finding) => finding.rule)).toEqual([
      'signals-not-forwarded',
      'grace-period-too-short',
    ]);
    const job = `apiVersion: batch/v1\nkind: Job\nmetadata: {name: once}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - {name: job, image: busybox, command: [sh, -c, "migrate"]}\n`;
    expect(findings(job).map((finding) => finding.rule)).toEqual(['signals-not-forwarded']);
  });

  it('checks a bare Pod, a ReplicaSet and a ReplicationController', () => {
    const pod = `apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app.kubernetes.io/name: web}}\nspec:\n  containers:\n    - {name: p, image: x, ports: [{name: http, containerPort: 8080}]}\n`;
    expect(findings([pod, service]).map((finding) => finding.rule)).toEqual([
      'no-shutdown-pause',
      'readiness-missing',
      'liveness-missing',
    ]);
    const replicaSet = deployment
      .replace('kind: Deployment', 'kind: ReplicaSet')
      .replace(/ {2}strategy:\n(?: {4}.*\n)+/, '');
    expect(findings([replicaSet, service]).map((finding) => finding.rule)).toEqual([
      'no-pod-disruption-budget',
    ]);
    const controller = `apiVersion: v1\nkind: ReplicationController\nmetadata: {name: rc}\nspec:\n  replicas: 1\n  selector: {app.kubernetes.io/name: web}\n  template:\n    metadata: {labels: {app.kubernetes.io/name: web}}\n    spec:\n      containers: [{name: rc, image: x}]\n`;
    expect(findings([controller, service]).map((finding) => finding.rule)).toEqual([
      'replicas-below-two',
      'no-shutdown-pause',
      'readiness-missing',
      'liveness-missing',
    ]);
  });

  it('says in one line that a pod template of another kind is not checked', () => {
    const rollout = deployment.replace(
      'apiVersion: apps/v1\nkind: Deployment',
      'apiVersion: argoproj.io/v1alpha1\nkind: Rollout',
    );
    const found = findings([rollout, service]);
    expect(found.map(({ rule, severity }) => [rule, severity])).toEqual([['kind-not-checked', 'info']]);
    expect(found[0]?.message).toBe(
      'Rollout is not a kind lameduck doctor reads: the containers of its pod template were not checked',
    );
  });
});

describe('removed-api-version', () => {
  it.each([
    ['extensions/v1beta1', 'Deployment', 'apps/v1'],
    ['apps/v1beta2', 'Deployment', 'apps/v1'],
  ])('flags %s %s', (apiVersion, kind, replacement) => {
    const text = cleanWith([
      'apiVersion: apps/v1\nkind: Deployment',
      `apiVersion: ${apiVersion}\nkind: ${kind}`,
    ]);
    const [finding, ...rest] = findings(text);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ rule: 'removed-api-version', severity: 'error' });
    expect(finding?.fix).toContain(`use ${replacement}`);
  });

  it('flags a policy/v1beta1 PodDisruptionBudget, which Kubernetes 1.25 removed', () => {
    const text = cleanWith(['apiVersion: policy/v1', 'apiVersion: policy/v1beta1']);
    expect(findings(text).map(({ kind, rule, message }) => [kind, rule, message])).toEqual([
      [
        'PodDisruptionBudget',
        'removed-api-version',
        'apiVersion policy/v1beta1 of PodDisruptionBudget was removed in Kubernetes 1.25: a current cluster rejects the manifest',
      ],
    ]);
  });
});
