import { describe, expect, it } from 'vitest';
import { findings, frontYaml, replaced } from '../../../test/helpers.js';

const istio = frontYaml('istio');
const linkerd = frontYaml('linkerd');
const IDLE_OK = "idleTimeout: 60s # below the app's keep-alive timeout (65 s)";

describe('mesh-proxy-exits-early', () => {
  it("takes Istio's default 5 s from a namespace labelled for injection", () => {
    const text = `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    istio-injection: enabled\n---\n${replaced(
      istio,
      ['        sidecar.istio.io/inject: "true"\n', ''],
      [/ {6}annotations:\n.*\n.*\n.*\n/, ''],
      [/metadata:\n {2}name: web\n/g, 'metadata:\n  name: web\n  namespace: shop\n'],
    )}`;
    const [finding] = findings(text, 'mesh-proxy-exits-early');
    expect(finding?.message).toMatch(
      /^the Istio proxy exits 5 s after SIGTERM \(Istio's terminationDrainDuration \(default 5s\)\)/,
    );
    expect(text).toContain(IDLE_OK);
  });

  it('leaves a pod that opts out of injection alone', () => {
    const text = replaced(
      istio,
      ['sidecar.istio.io/inject: "true"', 'sidecar.istio.io/inject: "false"'],
      ['terminationDrainDuration: 30s', 'terminationDrainDuration: 1s'],
    );
    expect(findings(text, 'mesh-proxy-exits-early')).toEqual([]);
  });

  it('leaves an Istio proxy that waits for the last connection alone', () => {
    const text = replaced(istio, [
      'terminationDrainDuration: 30s',
      'proxyMetadata:\n            EXIT_ON_ZERO_ACTIVE_CONNECTIONS: "true"',
    ]);
    expect(findings(text)).toEqual([]);
  });

  it('leaves a Linkerd proxy run as a native sidecar alone', () => {
    const text = replaced(linkerd, [
      '        config.alpha.linkerd.io/proxy-wait-before-exit-seconds: "30"\n',
      '        config.beta.linkerd.io/proxy-enable-native-sidecar: "true"\n',
    ]);
    expect(findings(text)).toEqual([]);
  });

  it('gives an app that is not lameduck preStop + 5 s', () => {
    const text = replaced(
      linkerd,
      [/ {12}- name: LAMEDUCK_\w+\n.*\n/g, ''],
      ['proxy-wait-before-exit-seconds: "30"', 'proxy-wait-before-exit-seconds: "8"'],
    );
    const [finding] = findings(text, 'mesh-proxy-exits-early');
    expect(finding?.message).toContain('preStop 5 s + 5 s to finish in-flight requests = 10 s');
  });
});
