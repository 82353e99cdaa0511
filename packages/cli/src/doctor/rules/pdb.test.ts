import { describe, expect, it } from 'vitest';
import { cleanWith, findings } from '../../../test/helpers.js';

const budget = (spec: string) => cleanWith(['maxUnavailable: 1\n  selector', `${spec}\n  selector`]);

describe('pdb-blocks-eviction', () => {
  it('flags minAvailable 1 with one replica (the classic node-drain blocker)', () => {
    const text = cleanWith(
      ['replicas: 3', 'replicas: 1'],
      ['maxUnavailable: 1\n  selector', 'minAvailable: 1\n  selector'],
    );
    const found = findings(text);
    expect(found.map((finding) => `${finding.kind}/${finding.name} ${finding.rule}`)).toEqual([
      'Deployment/web replicas-below-two',
      'PodDisruptionBudget/web pdb-blocks-eviction',
    ]);
    expect(found[1]?.message).toBe(
      'minAvailable 1 allows 0 disruptions of 1 pod from Deployment/web (replicas 1): kubectl drain and node upgrades wait on these pods forever',
    );
  });

  it.each(['minAvailable: 2', 'minAvailable: 50%', 'maxUnavailable: 34%', 'maxUnavailable: 1'])(
    'passes %s with 3 replicas',
    (spec) => {
      expect(findings(budget(spec))).toEqual([]);
    },
  );

  it.each(['maxUnavailable: 0', 'maxUnavailable: 0%', 'minAvailable: 100%', 'minAvailable: 4'])(
    'flags %s',
    (spec) => {
      expect(findings(budget(spec)).map((finding) => finding.rule)).toEqual(['pdb-blocks-eviction']);
    },
  );

  it("counts an autoscaler's minReplicas instead of replicas", () => {
    const hpa = `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web-autoscaler
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10`;
    const text = `${budget('minAvailable: 2')}\n---\n${hpa}`;
    expect(findings(text, 'pdb-blocks-eviction')[0]?.message).toBe(
      'minAvailable 2 allows 0 disruptions of 2 pods from Deployment/web (HorizontalPodAutoscaler/web-autoscaler minReplicas 2): kubectl drain and node upgrades wait on these pods forever',
    );
  });
});

describe('pdb-unhealthy-eviction-policy', () => {
  const policy = (value: string) =>
    cleanWith([
      '  unhealthyPodEvictionPolicy: AlwaysAllow\n',
      value ? `  unhealthyPodEvictionPolicy: ${value}\n` : '',
    ]);

  it.each([
    ['', 'unset (IfHealthyBudget)'],
    ['IfHealthyBudget', 'IfHealthyBudget'],
  ])('notes %j (%s): unready pods block a drain', (value, shown) => {
    const [finding] = findings(policy(value), 'pdb-unhealthy-eviction-policy');
    expect(finding?.severity).toBe('info');
    expect(finding?.message).toMatch(
      new RegExp(`^unhealthyPodEvictionPolicy ${shown.replace(/[()]/g, '\\$&')}: `),
    );
  });

  it('calls a value the API server rejects an error', () => {
    const [finding] = findings(policy('Always'), 'pdb-unhealthy-eviction-policy');
    expect(finding?.severity).toBe('error');
  });

  it('leaves a budget that selects nothing in the files given alone', () => {
    const text = cleanWith(
      ['  unhealthyPodEvictionPolicy: AlwaysAllow\n', ''],
      [/app\.kubernetes\.io\/name: web\n$/, 'app.kubernetes.io/name: other\n'],
    );
    expect(findings(text, 'pdb-unhealthy-eviction-policy')).toEqual([]);
  });
});
