import { describe, expect, it } from 'vitest';
import { findings, frontYaml, replaced } from '../../../test/helpers.js';

const aws = frontYaml('aws');
const NO_LABEL: [string, string] = ['  labels:\n    elbv2.k8s.aws/pod-readiness-gate-inject: enabled\n', ''];
const SHORT_PAUSE: [string, string] = [
  'seconds: 30 # the ALB sends to a deregistering target for tens of seconds',
  'seconds: 5',
];

describe('aws-readiness-gate', () => {
  it('passes a pod template that carries the gate itself', () => {
    const text = replaced(aws, NO_LABEL, [
      '      terminationGracePeriodSeconds: 60\n',
      '      terminationGracePeriodSeconds: 60\n      readinessGates:\n        - conditionType: target-health.elbv2.k8s.aws/k8s-shop-web-0123456789\n',
    ]);
    expect(findings(text)).toEqual([]);
  });

  it("follows the Service's target-type over the Ingress' (instance targets need no gate)", () => {
    const text = replaced(aws, NO_LABEL, SHORT_PAUSE, [
      'kind: Service\nmetadata:\n  name: web\n  namespace: shop\n',
      'kind: Service\nmetadata:\n  name: web\n  namespace: shop\n  annotations:\n    alb.ingress.kubernetes.io/target-type: instance\n',
    ]);
    expect(findings(text).map((finding) => finding.rule)).toEqual([]);
  });

  it('reads an NLB Service with IP targets', () => {
    const text = replaced(
      aws,
      NO_LABEL,
      [/---\napiVersion: networking\.k8s\.io\/v1\nkind: Ingress[\s\S]*$/, ''],
      [
        'kind: Service\nmetadata:\n  name: web\n  namespace: shop\nspec:\n',
        'kind: Service\nmetadata:\n  name: web\n  namespace: shop\n  annotations:\n    service.beta.kubernetes.io/aws-load-balancer-type: external\n    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: ip\nspec:\n  type: LoadBalancer\n',
      ],
    );
    const [finding] = findings(text, 'aws-readiness-gate');
    expect(finding?.message).toMatch(
      /^Service\/web sends to its pod IPs \(target-type ip\), but Namespace\/shop has no label/,
    );
  });

  it('says it cannot check a namespace that is not named', () => {
    const text = replaced(
      aws,
      [/apiVersion: v1\nkind: Namespace\n[\s\S]*?---\n/, ''],
      [/ {2}namespace: shop\n/g, ''],
    );
    const [finding] = findings(text, 'aws-readiness-gate');
    expect(finding?.severity).toBe('info');
    expect(finding?.message).toContain("the pods' namespace is not named (no metadata.namespace)");
  });
});

describe('aws-deregistration-pause', () => {
  it("counts lameduck's in-app pause with the preStop sleep", () => {
    const inApp = replaced(aws, [/ {10}lifecycle:\n.*\n.*\n.*\n/, ''], ['value: "0"', 'value: "30000"']);
    expect(findings(inApp)).toEqual([]);
    const [finding] = findings(
      replaced(inApp, ['value: "30000"', 'value: "10000"']),
      'aws-deregistration-pause',
    );
    expect(finding?.message).toContain(
      'keeps accepting for only preStop 0 s + LAMEDUCK_DRAIN_DELAY_MS 10000 = 10 s',
    );
  });

  it('leaves an httpGet preStop alone: it may wait for the deregistration itself', () => {
    const text = replaced(aws, [
      'sleep:\n                seconds: 30 # the ALB sends to a deregistering target for tens of seconds',
      'httpGet:\n                path: /drain-wait\n                port: http',
    ]);
    expect(findings(text, 'aws-deregistration-pause')).toEqual([]);
  });

  it('passes pods behind instance targets (the node is the target)', () => {
    const text = replaced(aws, SHORT_PAUSE, [
      'alb.ingress.kubernetes.io/target-type: ip',
      'alb.ingress.kubernetes.io/target-type: instance',
    ]);
    expect(findings(text)).toEqual([]);
  });
});

describe('aws-health-check-path', () => {
  it('compares the path without the query string', () => {
    const text = replaced(aws, ['path: /readyz\n', 'path: /readyz?verbose=0\n']);
    expect(findings(text, 'aws-health-check-path')).toEqual([]);
  });

  it("notes an ALB that keeps its default / in front of a lameduck app's /readyz", () => {
    const text = replaced(aws, ['    alb.ingress.kubernetes.io/healthcheck-path: /readyz\n', '']);
    const [finding] = findings(text, 'aws-health-check-path');
    expect(finding?.severity).toBe('info');
    expect(finding?.fix).toBe(
      'annotate the Ingress (or the Service) alb.ingress.kubernetes.io/healthcheck-path: /readyz',
    );
  });
});
