import { describe, expect, it } from 'vitest';
import { cleanWith, findings } from '../../../test/helpers.js';

const LOCAL: [string, string] = [
  'spec:\n  selector:\n    app.kubernetes.io/name: web\n  ports:',
  'spec:\n  type: LoadBalancer\n  externalTrafficPolicy: Local\n  selector:\n    app.kubernetes.io/name: web\n  ports:',
];
const PASS: [string, string] = [
  '    metadata:\n      labels:',
  '    metadata:\n      annotations:\n        lameduck.dev/readiness-while-draining: pass\n      labels:',
];

describe('external-traffic-local', () => {
  it('flags a lameduck app behind externalTrafficPolicy: Local', () => {
    const [finding] = findings(cleanWith(LOCAL), 'external-traffic-local');
    expect(finding?.message).toMatch(
      /^Service\/web has externalTrafficPolicy: Local and sends to container "web", whose readiness fails as soon as it drains/,
    );
    expect(finding?.fix).toContain("readinessWhileDraining: 'pass'");
  });

  it("passes once the pod declares readinessWhileDraining: 'pass'", () => {
    expect(findings(cleanWith(LOCAL, PASS))).toEqual([]);
  });

  it('passes externalTrafficPolicy: Cluster', () => {
    const cluster = cleanWith([LOCAL[0], LOCAL[1].replace('Local', 'Cluster')]);
    expect(findings(cluster)).toEqual([]);
  });

  it('leaves apps that are not lameduck alone: their readiness while draining is unknown', () => {
    const text = cleanWith(LOCAL, [/ {12}- name: LAMEDUCK_\w+\n.*\n/g, '']);
    expect(findings(text, 'external-traffic-local')).toEqual([]);
  });
});
