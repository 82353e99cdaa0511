import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../kubernetes/manifest.js';
import { DrillError } from './errors.js';
import { loadSpec, toSpec } from './spec.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../test/fixtures/drill/${name}`, import.meta.url));

function specOf(yaml: string, replicas?: number) {
  const [deployment] = parseManifest('test.yaml', yaml);
  if (!deployment) throw new Error('no object');
  return toSpec(deployment, replicas === undefined ? {} : { replicas });
}

const minimal = (extra = '', container = '') => `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
${extra}
  template:
    spec:
      containers:
        - name: app
${container}
`;

describe('loadSpec', () => {
  it('reads what the drill needs from the demo manifest, in milliseconds', async () => {
    const spec = await loadSpec([fixture('demo.yaml')]);
    expect(spec).toMatchObject({
      name: 'express-demo',
      container: 'express-demo',
      strategy: 'RollingUpdate',
      replicas: 3,
      maxSurge: 1,
      maxUnavailable: 0,
      gracePeriodMs: 35_000,
      preStop: { type: 'sleep', ms: 5000, how: 'sleep' },
      env: { PORT: '8080', LAMEDUCK_DRAIN_DELAY_MS: '0', LAMEDUCK_DRAIN_TIMEOUT_MS: '20000' },
    });
    expect(spec.probes.startup).toEqual({
      action: { type: 'httpGet', path: '/startupz' },
      initialDelayMs: 0,
      periodMs: 2000,
      timeoutMs: 1000,
      failureThreshold: 30,
      successThreshold: 1,
    });
    expect(spec.probes.readiness).toMatchObject({ periodMs: 5000, failureThreshold: 2 });
  });

  it('refuses files without a Deployment, naming what it found', async () => {
    await expect(loadSpec([fixture('service-only.yaml')])).rejects.toThrow(
      /no Deployment in .*service-only\.yaml \(found Service\)/,
    );
  });
});

describe('toSpec', () => {
  it("fills in Kubernetes' defaults for everything left out", () => {
    const spec = specOf(minimal('', '          readinessProbe: { httpGet: { path: /readyz, port: 8080 } }'));
    expect(spec).toMatchObject({
      replicas: 1,
      gracePeriodMs: 30_000,
      minReadyMs: 0,
      preStop: { type: 'none' },
      probes: {
        readiness: {
          periodMs: 10_000,
          timeoutMs: 1000,
          failureThreshold: 3,
          successThreshold: 1,
          initialDelayMs: 0,
        },
      },
    });
    expect(spec.probes.startup).toBeUndefined();
  });

  it('resolves 25% surge up and 25% unavailable down, against --replicas when given', () => {
    expect(specOf(minimal('  replicas: 3'))).toMatchObject({ maxSurge: 1, maxUnavailable: 0 });
    expect(specOf(minimal('  replicas: 3'), 8)).toMatchObject({
      replicas: 8,
      maxSurge: 2,
      maxUnavailable: 2,
    });
  });

  it('lets one pod be unavailable when maxSurge and maxUnavailable are both 0, as the controller does', () => {
    const spec = specOf(
      minimal('  replicas: 2\n  strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } }'),
    );
    expect(spec).toMatchObject({ maxSurge: 0, maxUnavailable: 1 });
  });

  it('reads an exec sleep preStop as a pause, and a Recreate strategy', () => {
    const spec = specOf(
      minimal(
        '  strategy: { type: Recreate }',
        '          lifecycle: { preStop: { exec: { command: [sh, -c, "sleep 7"] } } }',
      ),
    );
    expect(spec.preStop).toEqual({ type: 'sleep', ms: 7000, how: 'exec-sleep' });
    expect(spec.strategy).toBe('Recreate');
  });

  it.each([
    [
      'an exec probe',
      '          readinessProbe: { exec: { command: [cat, /tmp/ready] } }',
      /exec probes are not simulated/,
    ],
    ['an HTTPS probe', '          livenessProbe: { httpGet: { path: /, port: 1, scheme: HTTPS } }', /HTTPS/],
    [
      'a preStop script',
      '          lifecycle: { preStop: { exec: { command: [/bin/drain] } } }',
      /only sleep/,
    ],
  ])('refuses %s with a DrillError', (_, container, message) => {
    expect(() => specOf(minimal('', container))).toThrow(DrillError);
    expect(() => specOf(minimal('', container))).toThrow(message);
  });
});
