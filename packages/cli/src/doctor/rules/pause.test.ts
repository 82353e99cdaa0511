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

  // Regression: a preStop of `sleep.seconds: 0` used to count as a pause because a hook was there.
  it('reads preStop sleep.seconds: 0 as no pause at all', () => {
    const text = cleanWith(['seconds: 5', 'seconds: 0']);
    const [finding] = findings(text, 'no-shutdown-pause');
    expect(finding?.message).toBe(
      'container "web" has a lifecycle.preStop that sleeps 0 s and LAMEDUCK_DRAIN_DELAY_MS is 0: it stops accepting at SIGTERM while endpoints still send it traffic for 1–5 s (connections refused)',
    );
    expect(findings(cleanWith(['seconds: 5', 'seconds: 0'], ['value: "0"', 'value: "5000"']))).toEqual([]);
  });

  it('does not guess a LAMEDUCK_DRAIN_DELAY_MS from valueFrom, which cannot be read from the manifest', () => {
    const fromConfigMap: [string, string] = [
      '- name: LAMEDUCK_DRAIN_DELAY_MS\n              value: "0"',
      '- name: LAMEDUCK_DRAIN_DELAY_MS\n              valueFrom:\n                configMapKeyRef: {name: web, key: delay}',
    ];
    expect(findings(cleanWith(NO_PRESTOP, fromConfigMap), 'no-shutdown-pause')).toEqual([]);
    expect(findings(cleanWith(fromConfigMap), 'pause-stacked')).toEqual([]);
  });

  it("counts an unset LAMEDUCK_DRAIN_DELAY_MS as lameduck's 5 s in a pod", () => {
    const text = cleanWith(NO_PRESTOP, [/ {12}- name: LAMEDUCK_DRAIN_DELAY_MS\n.*\n/, '']);
    expect(findings(text, 'no-shutdown-pause')).toEqual([]);
  });

  it('gives a container that is not a lameduck app the generic advice', () => {
    const text = cleanWith(NO_PRESTOP, [/ {12}- name: LAMEDUCK_\w+\n.*\n/g, '']);
    const [finding] = findings(text, 'no-shutdown-pause');
    expect(finding?.message).toBe(
      'container "web" has no lifecycle.preStop: unless the app keeps accepting for a few seconds after SIGTERM, it refuses connections while endpoints still send it traffic for 1–5 s',
    );
    expect(finding?.fix).not.toContain('LAMEDUCK_');
  });

  it('leaves containers no Service targets alone (workers, clients, sidecars)', () => {
    const noService = cleanWith(
      NO_PRESTOP,
      ['value: "0"', 'value: "0"'],
      [/---\napiVersion: v1\nkind: Service\n[\s\S]*?---\n/, '---\n'],
    );
    expect(noService).not.toContain('kind: Service');
    expect(findings(noService, 'no-shutdown-pause')).toEqual([]);
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
    expect(finding?.severity).toBe('warning');
  });

  it('is a note where the image does not look distroless', () => {
    const text = cleanWith(
      ['sleep:\n                seconds: 5', 'exec:\n                command: [sleep, "5"]'],
      ['command: [/nodejs/bin/node, dist/server.js]', 'command: [node, dist/server.js]'],
    );
    expect(findings(text, 'prestop-exec-sleep')[0]?.severity).toBe('info');
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
      'container "web" sleeps 5 s in preStop and then LAMEDUCK_DRAIN_DELAY_MS 2000 pauses another 2 s after SIGTERM: 7 s of pause where one is enough, taken from the grace period',
    );
  });

  it('counts an exec sleep as a sleep too', () => {
    const text = cleanWith(
      ['sleep:\n                seconds: 5', 'exec:\n                command: [sleep, "3"]'],
      ['value: "0"', 'value: "1000"'],
    );
    expect(findings(text).map((finding) => finding.rule)).toEqual(['prestop-exec-sleep', 'pause-stacked']);
  });

  it("counts an unset LAMEDUCK_DRAIN_DELAY_MS as lameduck's 5 s in a pod (issue 12: preStop 5 s, grace 33 s)", () => {
    const text = cleanWith(
      [/ {12}- name: LAMEDUCK_DRAIN_DELAY_MS\n.*\n/, ''],
      ['terminationGracePeriodSeconds: 35', 'terminationGracePeriodSeconds: 33'],
    );
    expect(findings(text).map((finding) => finding.rule)).toEqual([
      'pause-stacked',
      'grace-period-too-short',
    ]);
    expect(findings(text, 'pause-stacked')[0]?.message).toBe(
      'container "web" sleeps 5 s in preStop and then LAMEDUCK_DRAIN_DELAY_MS 5000 (default in a pod) pauses another 5 s after SIGTERM: 10 s of pause where one is enough, taken from the grace period',
    );
    expect(findings(withEnv(text, 'LAMEDUCK_DRAIN_DELAY_MS', '0'))).toEqual([]);
  });

  it('knows a lameduck app by the lameduck.dev/containers annotation when no LAMEDUCK_ variable is set', () => {
    const generic = cleanWith([/ {12}- name: LAMEDUCK_\w+\n.*\n/g, '']);
    expect(findings(generic, 'pause-stacked')).toEqual([]);
    const annotated = generic.replace(
      '    metadata:\n      labels:\n',
      '    metadata:\n      annotations:\n        lameduck.dev/containers: web\n      labels:\n',
    );
    expect(annotated).toContain('lameduck.dev/containers');
    expect(findings(annotated, 'pause-stacked')).toHaveLength(1);
  });
});
