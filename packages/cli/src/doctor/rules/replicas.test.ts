import { describe, expect, it } from 'vitest';
import { cleanWith, cleanYaml, findings } from '../../../test/helpers.js';

const hpa = (minReplicas: string) => `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
${minReplicas}  maxReplicas: 5
`;

describe('replicas-below-two', () => {
  it('counts an absent replicas as 1, as Kubernetes does', () => {
    const text = cleanWith([/ {2}replicas: 3\n/, '']);
    expect(findings(text, 'replicas-below-two')[0]?.message).toBe(
      'replicas unset (1): while that one pod is evicted, rescheduled or crashing, no other pod serves',
    );
  });

  it('leaves replicas 0 alone: a deliberate scale-down', () => {
    expect(findings(cleanWith(['replicas: 3', 'replicas: 0']), 'replicas-below-two')).toEqual([]);
  });

  it('trusts an autoscaler with minReplicas 2, and flags one whose minimum is 1', () => {
    const single = cleanWith([/ {2}replicas: 3\n/, '']);
    expect(findings(`${single}\n${hpa('  minReplicas: 2\n')}`)).toEqual([]);
    expect(findings(`${single}\n${hpa('')}`, 'replicas-below-two')[0]?.message).toMatch(
      /^HorizontalPodAutoscaler\/web minReplicas unset \(1\): /,
    );
  });
});

describe('replicas-with-autoscaler', () => {
  const autoscaler =
    '---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  minReplicas: 2\n  maxReplicas: 6\n';

  it('flags spec.replicas written beside an autoscaler, and passes it once removed', () => {
    const [finding, ...rest] = findings(`${cleanYaml}\n${autoscaler}`);
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ rule: 'replicas-with-autoscaler', severity: 'warning' });
    expect(finding?.message).toMatch(
      /^spec\.replicas 3 is written while HorizontalPodAutoscaler\/web scales it/,
    );
    expect(findings(`${cleanWith(['  replicas: 3\n', ''])}\n${autoscaler}`)).toEqual([]);
  });
});
