import { describe, expect, it } from 'vitest';
import { type KubeObject, parseManifest } from '../kubernetes/manifest.js';
import { toCluster } from './cluster.js';
import { diagnose } from './diagnose.js';

function deployment(name: string, labels: Record<string, string>, namespace?: string): string {
  const labelLines = Object.entries(labels)
    .map(([key, value]) => `        ${key}: ${value}`)
    .join('\n');
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}${namespace ? `\n  namespace: ${namespace}` : ''}
spec:
  replicas: 2
  selector:
    matchLabels:
${labelLines.replaceAll('        ', '      ')}
  template:
    metadata:
      labels:
${labelLines}
    spec:
      containers:
        - name: app
          image: app:1
          ports:
            - containerPort: 8080
`;
}

function service(name: string, selector: Record<string, string>, namespace?: string): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}${namespace ? `\n  namespace: ${namespace}` : ''}
spec:
  selector:
${Object.entries(selector)
  .map(([key, value]) => `    ${key}: ${value}`)
  .join('\n')}
  ports:
    - port: 80
      targetPort: 8080
`;
}

function budget(name: string, selector: string): string {
  return `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: ${name}
spec:
  maxUnavailable: 1
  selector:
${selector}
`;
}

function clusterOf(...documents: string[]) {
  return toCluster(parseManifest('all.yaml', documents.join('---\n')));
}

const names = (objects: readonly { name: string }[]) => objects.map((object) => object.name);
const workloadNames = (workloads: readonly { object: KubeObject }[]) =>
  workloads.map((workload) => workload.object.name);

describe('ClusterIndex', () => {
  it('finds the Services selecting a workload through any label pair, in file order', () => {
    const cluster = clusterOf(
      deployment('web', { 'app.kubernetes.io/part-of': 'shop', app: 'web' }),
      deployment('api', { 'app.kubernetes.io/part-of': 'shop', app: 'api' }),
      service('shop', { 'app.kubernetes.io/part-of': 'shop' }),
      service('web', { 'app.kubernetes.io/part-of': 'shop', app: 'web' }),
      service('elsewhere', { app: 'web' }, 'other'),
      service('none', {}),
    );
    const [web, api] = cluster.workloads;
    if (!web || !api) throw new Error('two workloads expected');
    expect(names(cluster.index.servicesSelecting(web))).toEqual(['shop', 'web']);
    expect(names(cluster.index.servicesSelecting(api))).toEqual(['shop']);
    const shop = cluster.index.objectsOfKind('Service')[0];
    if (!shop) throw new Error('a Service expected');
    expect(workloadNames(cluster.index.workloadsSelectedBy(shop))).toEqual(['web', 'api']);
  });

  it('files PodDisruptionBudgets selecting by expressions only (In, Exists, NotIn, {}) too', () => {
    const cluster = clusterOf(
      deployment('web', { app: 'web', tier: 'front' }),
      deployment('api', { app: 'api' }),
      budget('in', '    matchExpressions:\n      - {key: app, operator: In, values: [web, other]}'),
      budget('exists', '    matchExpressions:\n      - {key: tier, operator: Exists}'),
      budget('not-in', '    matchExpressions:\n      - {key: app, operator: NotIn, values: [web]}'),
      budget('everything', '    {}'),
      budget('labels', '    matchLabels:\n      app: api'),
    );
    const [web, api] = cluster.workloads;
    if (!web || !api) throw new Error('two workloads expected');
    expect(names(cluster.index.disruptionBudgetsSelecting(web))).toEqual(['in', 'exists', 'everything']);
    expect(names(cluster.index.disruptionBudgetsSelecting(api))).toEqual(['not-in', 'everything', 'labels']);
  });

  it('looks at each Service a bounded number of times, however many workloads there are', () => {
    // Counted, not timed: the old rules read every Service's spec once per workload per rule.
    const pairs = 400;
    const documents: string[] = [];
    for (let index = 0; index < pairs; index += 1) {
      documents.push(
        deployment(`web-${index}`, { 'app.kubernetes.io/part-of': 'shop', app: `web-${index}` }),
        service(`web-${index}`, { 'app.kubernetes.io/part-of': 'shop', app: `web-${index}` }),
      );
    }
    const objects = parseManifest('all.yaml', documents.join('---\n'));
    let reads = 0;
    for (const object of objects) {
      if (object.kind !== 'Service') continue;
      const { spec } = object.body;
      Object.defineProperty(object.body, 'spec', {
        get() {
          reads += 1;
          return spec;
        },
      });
    }
    const findings = diagnose(objects);
    expect(findings.filter((finding) => finding.rule === 'no-service')).toEqual([]);
    expect(reads).toBeLessThan(pairs * 10);
  });
});
