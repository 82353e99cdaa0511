import { describe, expect, it } from 'vitest';
import { cleanWith, findings, withEnv } from '../../../test/helpers.js';

const NO_PRESTOP: [RegExp, string] = [/ {10}lifecycle:\n.*\n.*\n.*\n/, ''];

describe('no-shutdown-pause', () => {
  it('is satisfied by LAMEDUCK_DRAIN_DELAY_MS alone', () => {
    const text = cleanWith(NO_PRESTOP, ['value: "0"', 'value: "5000"']);
    expect(findings(text)).toEqual([]);
  });

  it('is satisfied by any preStop (an httpGet the app answers slowly, for example)', () => {
    const text = cleanWith([
      'sleep:\n                seconds: 5',
      'httpGet:\n                path: /prestop\n                port: http',
    ]);
    expect(findings(text, 'no-shutdown-pause')).toEqual([]);
  });

  it('ignores a LAMEDUCK_DRAIN_DELAY_MS from valueFrom, which cannot be read from the manifest', () => {
    const text = cleanWith(NO_PRESTOP, [
      '- name: LAMEDUCK_DRAIN_DELAY_MS\n              value: "0"',
      '- name: LAMEDUCK_DRAIN_DELAY_MS\n              valueFrom:\n                configMapKeyRef: {name: web, key: delay}',
    ]);
    expect(findings(text, 'no-shutdown-pause')[0]?.message).toBe(
      'container "web" has no lifecycle.preStop and LAMEDUCK_DRAIN_DELAY_MS is unset: it stops accepting at SIGTERM while endpoints still send it traffic for 1–5 s (connections refused)',
    );
  });
});

describe('prestop-exec-sleep', () => {
  it.each([
    ['[sleep, "10"]', 10],
    ['[/bin/sleep, 10s]', 10],
    ['[/bin/sh, -c, "echo bye; sleep 10"]', 10],
    ['[bash, -c, sleep 1m]', 60],
  ])('flags exec %s and suggests the native sleep for %i s', (command, seconds) => {
    const text = cleanWith([
      'sleep:\n                seconds: 5',
      `exec:\n                command: ${command}`,
    ]);
    const [finding] = findings(text, 'prestop-exec-sleep');
    expect(finding?.fix).toContain(`lifecycle.preStop.sleep.seconds: ${seconds} `);
    expect(finding?.fix).toContain(`LAMEDUCK_DRAIN_DELAY_MS=${seconds * 1000}`);
  });

  it('leaves an exec of another program alone', () => {
    const text = cleanWith([
      'sleep:\n                seconds: 5',
      'exec:\n                command: [/nodejs/bin/node, dist/prestop.js]',
    ]);
    expect(findings(text, 'prestop-exec-sleep')).toEqual([]);
  });
});

describe('pause-stacked', () => {
  it('gives both pauses and their sum', () => {
    const text = cleanWith(['value: "0"', 'value: "2000"']);
    expect(findings(text, 'pause-stacked')[0]?.message).toBe(
      'container "web" sleeps 5 s in preStop and then LAMEDUCK_DRAIN_DELAY_MS=2000 pauses another 2 s after SIGTERM: 7 s of pause where one is enough, taken from the grace period',
    );
  });

  it('counts an exec sleep as a sleep too', () => {
    const text = cleanWith(
      ['sleep:\n                seconds: 5', 'exec:\n                command: [sleep, "3"]'],
      ['value: "0"', 'value: "1000"'],
    );
    expect(findings(text).map((finding) => finding.rule)).toEqual(['prestop-exec-sleep', 'pause-stacked']);
  });

  it('treats an unset LAMEDUCK_DRAIN_DELAY_MS as no in-app pause', () => {
    const text = cleanWith([/ {12}- name: LAMEDUCK_DRAIN_DELAY_MS\n.*\n/, '']);
    expect(findings(text)).toEqual([]);
    expect(findings(withEnv(text, 'LAMEDUCK_DRAIN_DELAY_MS', '1'), 'pause-stacked')).toHaveLength(1);
  });
});
