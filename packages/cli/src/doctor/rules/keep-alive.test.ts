import { describe, expect, it } from 'vitest';
import { findings, frontYaml, replaced, withEnv } from '../../../test/helpers.js';

const nginx = frontYaml('ingress-nginx');
const istio = frontYaml('istio');
const NO_CONFIGMAP: [RegExp, string] = [/---\n# ingress-nginx's own ConfigMap[\s\S]*$/, ''];

describe('upstream-keepalive-timeout', () => {
  it("uses ingress-nginx's default 60 s when its ConfigMap is not in the files given", () => {
    const text = withEnv(replaced(nginx, NO_CONFIGMAP), 'LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS', '30000');
    const [finding] = findings(text, 'upstream-keepalive-timeout');
    expect(finding?.message).toBe(
      'ingress-nginx (Ingress/web) keeps idle upstream connections 60 s (its default upstream-keepalive-timeout), at least as long as container "web" keeps them (LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS 30000): the app closes idle connections first, and a request the proxy sends on one as it closes fails with 502/503',
    );
  });

  it("passes lameduck's default 65 s behind ingress-nginx's default 60 s", () => {
    expect(findings(replaced(nginx, NO_CONFIGMAP))).toEqual([]);
  });

  it('flags equal timeouts: at or above is the race', () => {
    const text = replaced(nginx, ['upstream-keepalive-timeout: "60"', 'upstream-keepalive-timeout: "65s"']);
    expect(findings(text).map((finding) => finding.rule)).toEqual(['upstream-keepalive-timeout']);
  });

  it('passes an app that never closes idle connections (LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS 0)', () => {
    const text = withEnv(replaced(nginx, NO_CONFIGMAP), 'LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS', '0');
    expect(findings(text)).toEqual([]);
  });

  it('passes when ingress-nginx keeps no upstream connections', () => {
    const text = replaced(nginx, [
      'upstream-keepalive-timeout: "60"',
      'upstream-keepalive-timeout: "600"\n  upstream-keepalive-connections: "0"',
    ]);
    expect(findings(text)).toEqual([]);
  });

  it('does not guess a keep-alive timeout set through valueFrom', () => {
    const text = replaced(
      nginx,
      ['upstream-keepalive-timeout: "60"', 'upstream-keepalive-timeout: "600"'],
      [
        '          env:\n',
        '          env:\n            - name: LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS\n              valueFrom:\n                configMapKeyRef: {name: web, key: keep-alive}\n',
      ],
    );
    expect(findings(text, 'upstream-keepalive-timeout')).toEqual([]);
  });

  it('reads an Istio idleTimeout in Go duration form', () => {
    const text = replaced(istio, ['idleTimeout: 60s', 'idleTimeout: 1m10s']);
    const [finding] = findings(text, 'upstream-keepalive-timeout');
    expect(finding?.message).toMatch(/^Envoy keeps idle upstream connections 70 s \(DestinationRule\/web/);
    expect(finding?.fix).toContain('set LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS above 70000');
  });
});
