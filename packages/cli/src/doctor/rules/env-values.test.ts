import { describe, expect, it } from 'vitest';
import { cleanWith, cleanYaml, findings, rulesFired, withEnv } from '../../../test/helpers.js';

describe('env-value-refused', () => {
  it('reports every value the app would refuse, each with its own line, in ENVIRONMENT order', () => {
    const text = cleanWith(['value: "20000"', 'value: "20s"'], ['value: "0"', 'value: "-15000"']);
    expect(findings(text, 'env-value-refused').map((finding) => finding.message)).toEqual([
      'LAMEDUCK_DRAIN_DELAY_MS is out of range 0..86400000 (milliseconds), got "-15000"; for example LAMEDUCK_DRAIN_DELAY_MS=0',
      'LAMEDUCK_DRAIN_TIMEOUT_MS must be a whole number of milliseconds from 0 to 86400000, got "20s"; write it in milliseconds, without a unit: LAMEDUCK_DRAIN_TIMEOUT_MS=20000',
    ]);
    expect(findings(text, 'env-value-refused')[0]?.fix).toBe(
      'correct LAMEDUCK_DRAIN_DELAY_MS in container "web"\'s env: the app stops at startup with this line, so the pod restarts forever',
    );
  });

  it('never counts a refused drain delay in the budget: -15000 no longer hides a grace period too short', () => {
    // preStop 5 + delay 0 + 20 + 0.35 + 5 + 1 = 31.35 s fits 34 s...
    const short = cleanWith(['terminationGracePeriodSeconds: 35', 'terminationGracePeriodSeconds: 34']);
    expect(findings(short)).toEqual([]);
    // ...and would not with the pod's default delay of 5000, which stands in for a refused -15000
    // (the old reading subtracted it, making "room").
    const negative = short.replace(
      '- name: LAMEDUCK_DRAIN_DELAY_MS\n              value: "0"',
      '- name: LAMEDUCK_DRAIN_DELAY_MS\n              value: "-15000"',
    );
    expect(rulesFired(negative)).toEqual(['env-value-refused', 'grace-period-too-short', 'pause-stacked']);
    expect(findings(negative, 'grace-period-too-short')[0]?.message).toContain(
      'LAMEDUCK_DRAIN_DELAY_MS 5000 (default in a pod; the value set is refused)',
    );
  });

  it('reads valueFrom as unreadable, not refused, and leaves containers that are not lameduck alone', () => {
    const fromSecret = cleanWith([
      '- name: LAMEDUCK_DRAIN_TIMEOUT_MS\n              value: "20000"',
      '- name: LAMEDUCK_DRAIN_TIMEOUT_MS\n              valueFrom: { configMapKeyRef: { name: web, key: timeout } }',
    ]);
    expect(findings(fromSecret, 'env-value-refused')).toEqual([]);
    const other = cleanYaml
      .replace(/ {12}- name: LAMEDUCK_\w+\n {14}value: "\d+"\n/g, '')
      .replace(
        '          env:\n',
        '          env:\n            - name: TERMINATION_GRACE_PERIOD_SECONDS\n              value: "30s"\n',
      );
    expect(other).not.toContain('name: LAMEDUCK_');
    expect(findings(other, 'env-value-refused')).toEqual([]);
  });

  it('flags a TERMINATION_GRACE_PERIOD_SECONDS the app refuses, and then does not read it for the budget', () => {
    const text = withEnv(cleanYaml, 'TERMINATION_GRACE_PERIOD_SECONDS', '100000');
    expect(rulesFired(text)).toEqual(['env-value-refused']);
  });

  it('says the app refuses to start when LAMEDUCK_BUDGET=refuse and the grace period it is told cannot hold the shutdown', () => {
    const text = withEnv(
      withEnv(cleanYaml, 'TERMINATION_GRACE_PERIOD_SECONDS', '20'),
      'LAMEDUCK_BUDGET',
      'refuse',
    );
    // The app's refusal, once: grace-period-too-short leaves this case to it.
    expect(rulesFired(text)).toEqual(['env-value-refused']);
    expect(findings(text, 'env-value-refused')[0]?.message).toMatch(
      /^the shutdown can take up to 25350 ms .* \(TERMINATION_GRACE_PERIOD_SECONDS=20\), so Kubernetes would SIGKILL/,
    );
    // Told 30 of the pod's 35 (minus the 5 s preStop), the budget fits: nothing to say.
    const fits = withEnv(
      withEnv(cleanYaml, 'TERMINATION_GRACE_PERIOD_SECONDS', '30'),
      'LAMEDUCK_BUDGET',
      'refuse',
    );
    expect(findings(fits)).toEqual([]);
  });
});

describe('env-variable-ignored', () => {
  it.each([
    ['LAMEDUCK_DRAIN_DELAY', 'LAMEDUCK_DRAIN_DELAY_MS', ''],
    ['lameduck_drain_delay_ms', 'LAMEDUCK_DRAIN_DELAY_MS', ' (names are case-sensitive)'],
    ['TERMINATION_GRACE_PERIOD_SECOND', 'TERMINATION_GRACE_PERIOD_SECONDS', ''],
  ])('warns about %s, naming %s', (name, closest, note) => {
    const [finding, ...rest] = findings(withEnv(cleanYaml, name, '0'), 'env-variable-ignored');
    expect(rest).toEqual([]);
    expect(finding?.severity).toBe('warning');
    expect(finding?.message).toBe(
      `${name} is not a variable lameduck reads${note}, so it is ignored; did you mean ${closest}? Rename it in the manifest`,
    );
    expect(finding?.fix).toBe(`rename ${name} to ${closest} in container "web"'s env`);
  });

  it('says nothing about the names lameduck reads, the 0.1 names or the app’s own', () => {
    expect(findings(withEnv(withEnv(cleanYaml, 'DATABASE_URL', 'x'), 'NODE_ENV', 'production'))).toEqual([]);
  });
});
