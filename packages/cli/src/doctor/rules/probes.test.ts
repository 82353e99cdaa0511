import { describe, expect, it } from 'vitest';
import { cleanWith, findings } from '../../../test/helpers.js';

const LIVENESS_HTTP =
  'livenessProbe:\n            httpGet:\n              path: /livez\n              port: http';
const READINESS_HTTP =
  'readinessProbe:\n            httpGet:\n              path: /readyz\n              port: http';

describe('liveness-missing and readiness-missing', () => {
  it('are reported per container; readiness only for containers whose port a Service targets', () => {
    const sidecar = `        - name: sidecar\n          image: registry.example.com/proxy:1\n`;
    const text = cleanWith(['      containers:\n', `      containers:\n${sidecar}`]);
    expect(findings(text)).toEqual([]);
    const targeted = cleanWith(
      [
        '      containers:\n',
        `      containers:\n${sidecar}          ports: [{name: admin, containerPort: 9901}]\n`,
      ],
      [
        '      targetPort: http',
        '      targetPort: http\n    - name: admin\n      port: 9901\n      targetPort: admin',
      ],
    );
    expect(findings(targeted).map(({ rule, message }) => [rule, message.split(' has ')[0]])).toEqual([
      ['no-shutdown-pause', 'container "sidecar"'],
      ['readiness-missing', 'container "sidecar"'],
      ['liveness-missing', 'container "sidecar"'],
    ]);
  });

  it('sends a Service port no container declares to the first container', () => {
    const sidecar = `        - name: sidecar\n          image: registry.example.com/proxy:1\n`;
    const text = cleanWith(
      ['      containers:\n', `      containers:\n${sidecar}`],
      ['targetPort: http', 'targetPort: 9000'],
    );
    expect(findings(text, 'readiness-missing').map((finding) => finding.message.split(' has ')[0])).toEqual([
      'container "sidecar"',
    ]);
  });
});

describe('liveness-checks-readiness', () => {
  it.each(['/readyz', '/health/ready', '/readiness?verbose', '/readyz/db'])(
    'flags liveness on %s',
    (path) => {
      const text = cleanWith(['path: /livez', `path: ${path}`]);
      expect(findings(text).map((finding) => finding.rule)).toEqual(['liveness-checks-readiness']);
    },
  );

  it('sees /readyz inside an exec of lameduck-probe', () => {
    const text = cleanWith([
      LIVENESS_HTTP,
      'livenessProbe:\n            exec:\n              command: [/nodejs/bin/node, /app/node_modules/@lameduck/core/dist/bin/probe.js, "http://127.0.0.1:8080/readyz"]',
    ]);
    expect(findings(text).map((finding) => finding.rule)).toEqual(['liveness-checks-readiness']);
  });

  it('does not mistake /already or /readyzone for readiness', () => {
    expect(findings(cleanWith(['path: /livez', 'path: /already']))).toEqual([]);
    expect(findings(cleanWith(['path: /livez', 'path: /readyzone']))).toEqual([]);
  });
});

describe('liveness-same-as-readiness', () => {
  it('compares a named port with its number', () => {
    const text = cleanWith([
      'path: /readyz\n              port: http',
      'path: /livez\n              port: 8080',
    ]);
    expect(findings(text, 'liveness-same-as-readiness')[0]?.message).toBe(
      'container "web" readinessProbe (httpGet /livez on port 8080) and livenessProbe (httpGet /livez on port http) ask the same question: a pod that should only leave the endpoints (dependency down, draining) gets restarted instead',
    );
  });

  it('compares whole targets: a query string makes another handler', () => {
    expect(findings(cleanWith(['path: /readyz', 'path: /livez?verbose']))).toEqual([]);
    const same = cleanWith(
      ['path: /readyz', 'path: /livez?verbose'],
      ['path: /livez\n', 'path: /livez?verbose\n'],
    );
    expect(findings(same).map((finding) => finding.rule)).toEqual(['liveness-same-as-readiness']);
  });

  it('flags two tcpSocket probes on one port', () => {
    const text = cleanWith(
      [LIVENESS_HTTP, 'livenessProbe:\n            tcpSocket:\n              port: http'],
      [READINESS_HTTP, 'readinessProbe:\n            tcpSocket:\n              port: 8080'],
    );
    expect(findings(text, 'liveness-same-as-readiness')).toHaveLength(1);
  });

  it('passes the same path on different ports (a separate admin port)', () => {
    const text = cleanWith([
      'path: /readyz\n              port: http',
      'path: /livez\n              port: 9090',
    ]);
    expect(findings(text)).toEqual([]);
  });
});

describe('startup-probe-missing', () => {
  const noStartup: [RegExp, string] = [/ {10}startupProbe:\n(?: {12}.*\n)+/, ''];

  it('passes initialDelaySeconds up to 10 s without a startup probe', () => {
    const text = cleanWith(noStartup, [
      LIVENESS_HTTP,
      `livenessProbe:\n            initialDelaySeconds: 10\n            httpGet:\n              path: /livez\n              port: http`,
    ]);
    expect(findings(text)).toEqual([]);
  });

  it('flags 11 s, and passes it once there is a startup probe', () => {
    const delayed = `livenessProbe:\n            initialDelaySeconds: 11\n            httpGet:\n              path: /livez\n              port: http`;
    expect(findings(cleanWith(noStartup, [LIVENESS_HTTP, delayed])).map((finding) => finding.rule)).toEqual([
      'startup-probe-missing',
    ]);
    expect(findings(cleanWith([LIVENESS_HTTP, delayed]))).toEqual([]);
  });
});
