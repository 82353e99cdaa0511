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
