import { describe, expect, it } from 'vitest';
import { cleanWith, findings } from '../../../test/helpers.js';

describe('rollout-max-unavailable', () => {
  it.each(['0', '"0%"', '0%'])('passes maxUnavailable %s', (value) => {
    expect(
      findings(cleanWith(['maxUnavailable: 0', `maxUnavailable: ${value}`]), 'rollout-max-unavailable'),
    ).toEqual([]);
  });

  it('resolves a percentage against the replicas, rounding down as the controller does', () => {
    const text = cleanWith(['replicas: 3', 'replicas: 8'], ['maxUnavailable: 0', 'maxUnavailable: 25%']);
    const [finding] = findings(text, 'rollout-max-unavailable');
    expect(finding?.message).toBe(
      'maxUnavailable is 25%: up to 2 of 8 pods (replicas 8) may be stopped before a replacement is ready',
    );
    expect(finding?.fix).toBe('set spec.strategy.rollingUpdate.maxUnavailable: 0 and maxSurge: 1');
  });

  it('flags the default 25% when the rolling update says nothing about maxUnavailable', () => {
    const text = cleanWith(['replicas: 3', 'replicas: 4'], ['      maxUnavailable: 0\n', '']);
    expect(findings(text, 'rollout-max-unavailable')[0]?.message).toBe(
      'maxUnavailable is unset (Kubernetes defaults it to 25%): up to 1 of 4 pods (replicas 4) may be stopped before a replacement is ready',
    );
  });

  it("is a note while the default rounds to 0, and uses an autoscaler's maxReplicas to say when it bites", () => {
    const unset = cleanWith(['      maxUnavailable: 0\n', '']);
    expect(findings(unset, 'rollout-max-unavailable').map((finding) => finding.severity)).toEqual(['info']);
    const hpa = (max: number) =>
      `${unset}\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 2\n  maxReplicas: ${max}\n`;
    expect(findings(hpa(3), 'rollout-max-unavailable')).toEqual([]);
    const [finding] = findings(hpa(10), 'rollout-max-unavailable');
    expect(finding?.severity).toBe('warning');
    expect(finding?.message).toBe(
      'maxUnavailable is unset (Kubernetes defaults it to 25%): rounds down to 0 at HorizontalPodAutoscaler/web minReplicas 2, but HorizontalPodAutoscaler/web may scale to maxReplicas 10, and from 4 pods on a rollout stops 25% of them before replacements are ready',
    );
  });

  it('flags an unreadable value rather than guessing', () => {
    const text = cleanWith(['maxUnavailable: 0', 'maxUnavailable: "some"']);
    expect(findings(text, 'rollout-max-unavailable')[0]?.message).toBe(
      'maxUnavailable is "some": an unreadable value',
    );
  });

  it('leaves StatefulSets alone (they replace pods one by one by design)', () => {
    const text = cleanWith(
      ['kind: Deployment', 'kind: StatefulSet'],
      ['  strategy:', '  updateStrategy:'],
      ['maxUnavailable: 0', 'maxUnavailable: 1'],
    );
    expect(findings(text, 'rollout-max-unavailable')).toEqual([]);
  });
});

describe('rollout-recreate', () => {
  it('flags Recreate alone, not maxUnavailable too', () => {
    const text = cleanWith([/type: RollingUpdate\n {4}rollingUpdate:\n.*\n.*\n/, 'type: Recreate\n']);
    expect(findings(text).map((finding) => finding.rule)).toEqual(['rollout-recreate']);
    expect(findings(text)[0]?.message).toBe(
      'strategy is Recreate: all 3 pods stop before any replacement starts, so every rollout is an outage',
    );
  });
});
