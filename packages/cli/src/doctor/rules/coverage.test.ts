import { describe, expect, it } from 'vitest';
import { cleanYaml, findings } from '../../../test/helpers.js';

const [deployment = '', service = '', budget = ''] = cleanYaml.split('\n---\n');

describe('no-service and no-pod-disruption-budget', () => {
  it('match across all the files given together', () => {
    expect(findings([deployment, `${service}\n---\n${budget}`])).toEqual([]);
    expect(findings([deployment]).map(({ file, rule }) => `${file} ${rule}`)).toEqual(['a.yaml no-service']);
    expect(findings([deployment, service]).map(({ file, rule }) => `${file} ${rule}`)).toEqual([
      'a.yaml no-pod-disruption-budget',
    ]);
  });

  it('report the pod labels that nothing selects', () => {
    expect(findings(deployment, 'no-service')[0]?.message).toBe(
      'no Service in the files given selects its pods {app.kubernetes.io/name: web}, though they declare ports: there are no endpoints for readiness to take the pod out of, and the traffic rules (readiness, shutdown pause, rollout, disruption budget) were not checked',
    );
  });

  it('do not ask a worker that declares no port for a Service', () => {
    const worker = deployment.replace(/ {10}ports:\n.*\n.*\n/, '');
    expect(worker).not.toContain('containerPort');
    expect(findings(worker, 'no-service')).toEqual([]);
  });

  it('ask for a disruption budget only from 2 replicas: with 1 it changes nothing', () => {
    const single = deployment.replace('replicas: 3', 'replicas: 1');
    expect(findings([single, service], 'no-pod-disruption-budget')).toEqual([]);
    expect(
      findings([deployment.replace('replicas: 3', 'replicas: 2'), service], 'no-pod-disruption-budget'),
    ).toHaveLength(1);
  });

  it('do not let a Service in one namespace cover an unnamespaced Deployment', () => {
    const elsewhere = service.replace('  name: web\n', '  name: web\n  namespace: other\n');
    expect(elsewhere).toContain('namespace: other');
    expect(findings([deployment, elsewhere, budget], 'no-service')).toHaveLength(1);
  });

  it('do not count a Service without a selector (manual endpoints select no pods)', () => {
    const bare = service.replace(/ {2}selector:\n.*\n/, '');
    expect(findings([deployment, bare, budget], 'no-service')).toHaveLength(1);
  });

  it('require a Service selector to match every label it names', () => {
    const narrower = service.replace(
      'app.kubernetes.io/name: web',
      'app.kubernetes.io/name: web\n    tier: api',
    );
    expect(findings([deployment, narrower, budget], 'no-service')).toHaveLength(1);
  });

  it('understand matchExpressions in a PodDisruptionBudget selector', () => {
    const expressions = (expression: string) =>
      budget.replace(/ {4}matchLabels:\n.*/, `    matchExpressions:\n      - ${expression}`);
    const selects = (expression: string) =>
      findings([deployment, service, expressions(expression)], 'no-pod-disruption-budget').length === 0;
    expect(selects('{key: app.kubernetes.io/name, operator: In, values: [web, api]}')).toBe(true);
    expect(selects('{key: app.kubernetes.io/name, operator: In, values: [api]}')).toBe(false);
    expect(selects('{key: app.kubernetes.io/name, operator: NotIn, values: [api]}')).toBe(true);
    expect(selects('{key: app.kubernetes.io/name, operator: NotIn, values: [web]}')).toBe(false);
    expect(selects('{key: app.kubernetes.io/name, operator: Exists}')).toBe(true);
    expect(selects('{key: tier, operator: Exists}')).toBe(false);
    expect(selects('{key: tier, operator: DoesNotExist}')).toBe(true);
    expect(selects('{key: tier, operator: Sideways}')).toBe(false);
  });

  it('treat an empty PDB selector as selecting every pod in the namespace (policy/v1)', () => {
    const everything = budget.replace(/ {2}selector:\n(?: {4}.*\n?)+/, '  selector: {}\n');
    expect(findings([deployment, service, everything])).toEqual([]);
  });

  it('do not count a metrics-only Service as traffic, nor ask for a Service for metrics ports', () => {
    const metricsOnly = deployment.replace(
      'name: http\n              containerPort: 8080',
      'name: metrics\n              containerPort: 8080',
    );
    expect(metricsOnly).toContain('name: metrics');
    expect(findings(metricsOnly, 'no-service')).toEqual([]);
    const scrape = service.replace(
      'name: http\n      port: 80\n      targetPort: http',
      'name: metrics\n      port: 8080\n      targetPort: metrics',
    );
    expect(scrape).toContain('targetPort: metrics');
    const single = metricsOnly
      .replace('replicas: 3', 'replicas: 1')
      .replace(/ {10}readinessProbe:\n(?: {12}.*\n)+/, '');
    expect(findings([single, scrape])).toEqual([]);
  });

  it('do not take a client that idles (sleep infinity) for the target of a Service port it does not declare', () => {
    const client = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: sleep}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: sleep}}\n  template:\n    metadata: {labels: {app: sleep}}\n    spec:\n      terminationGracePeriodSeconds: 0\n      containers:\n        - {name: sleep, image: curl, command: [/bin/sleep, infinity]}\n`;
    const sleepService =
      'apiVersion: v1\nkind: Service\nmetadata: {name: sleep}\nspec:\n  selector: {app: sleep}\n  ports: [{port: 80, name: http}]\n';
    expect(findings([client, sleepService])).toEqual([]);
    const server = client.replace('command: [/bin/sleep, infinity]', 'command: [/app/server]');
    expect(findings([server, sleepService]).map((finding) => finding.rule)).toEqual([
      'rollout-max-unavailable',
      'replicas-below-two',
      'no-shutdown-pause',
      'grace-period-too-short',
      'readiness-missing',
      'liveness-missing',
    ]);
  });
});
