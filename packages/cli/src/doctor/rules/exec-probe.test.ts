import { describe, expect, it } from 'vitest';
import { cleanWith, findings } from '../../../test/helpers.js';

const READINESS_HTTP =
  'readinessProbe:\n            httpGet:\n              path: /readyz\n              port: http';
const readinessExec = (command: string) =>
  `readinessProbe:\n            exec:\n              command: ${command}`;

describe('exec-probe-shell-tool', () => {
  it.each([
    '[/usr/bin/wget, -q, -O-, "http://127.0.0.1:8080/readyz"]',
    '[cat, /tmp/ready]',
    '[sh, -c, "curl -f localhost:8080/readyz"]',
  ])('flags %s', (command) => {
    const text = cleanWith([READINESS_HTTP, readinessExec(command)]);
    expect(findings(text).map((finding) => finding.rule)).toEqual(['exec-probe-shell-tool']);
  });

  it('is a warning where the image looks distroless, a note elsewhere', () => {
    const probe: [string, string] = [
      READINESS_HTTP,
      readinessExec('[curl, -f, "http://127.0.0.1:8080/readyz"]'),
    ];
    expect(findings(cleanWith(probe))[0]?.severity).toBe('warning');
    const debian = cleanWith(probe, [
      'command: [/nodejs/bin/node, dist/server.js]',
      'command: [node, dist/server.js]',
    ]);
    expect(findings(debian)[0]?.severity).toBe('info');
    const distrolessImage = cleanWith(
      probe,
      ['command: [/nodejs/bin/node, dist/server.js]', 'command: [node, dist/server.js]'],
      ['image: registry.example.com/web:1.0.0', 'image: gcr.io/distroless/nodejs22-debian12'],
    );
    expect(findings(distrolessImage)[0]?.severity).toBe('warning');
  });

  it('checks a preStop exec through a shell the same way', () => {
    const text = cleanWith([
      'sleep:\n                seconds: 5',
      'exec:\n                command: [/bin/sh, -c, "curl -X POST localhost:8080/drain"]',
    ]);
    const [finding] = findings(text, 'exec-probe-shell-tool');
    expect(finding?.message).toMatch(/^container "web" preStop runs exec "\/bin\/sh -c curl/);
  });

  it('suggests lameduck-probe with the URL the probe used', () => {
    const text = cleanWith([READINESS_HTTP, readinessExec('[curl, -f, "http://127.0.0.1:8080/readyz"]')]);
    expect(findings(text)[0]?.fix).toBe(
      'use httpGet, or exec lameduck-probe, which needs only node: [/nodejs/bin/node, /app/node_modules/@lameduck/core/dist/bin/probe.js, http://127.0.0.1:8080/readyz]',
    );
  });

  it('passes lameduck-probe itself', () => {
    const text = cleanWith([
      READINESS_HTTP,
      readinessExec(
        '[/nodejs/bin/node, /app/node_modules/@lameduck/core/dist/bin/probe.js, "http://127.0.0.1:8080/readyz"]',
      ),
    ]);
    expect(findings(text)).toEqual([]);
  });
});
