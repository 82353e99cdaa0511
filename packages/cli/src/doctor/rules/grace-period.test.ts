import { describe, expect, it } from 'vitest';
import { cleanWith, cleanYaml, findings, withEnv } from '../../../test/helpers.js';

describe('grace-period-too-short', () => {
  it("passes when preStop + core's shutdownBudget() fits: 5 + 26.35 s in 32 s", () => {
    expect(
      findings(cleanWith(['terminationGracePeriodSeconds: 35', 'terminationGracePeriodSeconds: 32'])),
    ).toEqual([]);
  });

  it('flags one second less, with the sum and where each number comes from', () => {
    const text = cleanWith(['terminationGracePeriodSeconds: 35', 'terminationGracePeriodSeconds: 31']);
    const [finding] = findings(text, 'grace-period-too-short');
    expect(finding?.message).toBe(
      'terminationGracePeriodSeconds 31 is shorter than what container "web" needs: preStop 5 s + LAMEDUCK_DRAIN_DELAY_MS 0 + LAMEDUCK_DRAIN_TIMEOUT_MS 20000 + lameduck\'s own waits 350 + LAMEDUCK_CLEANUP_TIMEOUT_MS 5000 + headroom 1000 = 31350 ms; SIGKILL ends the drain early',
    );
    expect(finding?.fix).toBe(
      'set terminationGracePeriodSeconds: 32 or more, or lower LAMEDUCK_DRAIN_TIMEOUT_MS or LAMEDUCK_CLEANUP_TIMEOUT_MS',
    );
  });

  it("uses lameduck's defaults for what the env leaves out, and says so", () => {
    const text = cleanWith(
      [/ {12}- name: (LAMEDUCK_DRAIN_TIMEOUT_MS|LAMEDUCK_CLEANUP_TIMEOUT_MS)\n.*\n/g, ''],
      ['value: "0"', 'value: "1500"'],
    );
    expect(findings(text, 'grace-period-too-short')).toEqual([]);
    const longer = cleanWith(
      [/ {12}- name: LAMEDUCK_CLEANUP_TIMEOUT_MS\n.*\n/, ''],
      ['value: "20000"', 'value: "60000"'],
    );
    expect(findings(longer, 'grace-period-too-short')[0]?.message).toContain(
      "preStop 5 s + LAMEDUCK_DRAIN_DELAY_MS 0 + LAMEDUCK_DRAIN_TIMEOUT_MS 60000 + lameduck's own waits 350 + LAMEDUCK_CLEANUP_TIMEOUT_MS 5000 (default) + headroom 1000 = 71350 ms",
    );
  });

  it('counts the cleanup budget, not the per-hook timeout: any number of hooks share it', () => {
    const hooks = cleanWith(['value: "5000"', 'value: "9000"']);
    expect(findings(hooks, 'grace-period-too-short')).toEqual([]);
    const cleanup = cleanWith([
      '- name: LAMEDUCK_CLEANUP_TIMEOUT_MS\n              value: "5000"',
      '- name: LAMEDUCK_CLEANUP_TIMEOUT_MS\n              value: "9000"',
    ]);
    expect(findings(cleanup, 'grace-period-too-short')[0]?.fix).toBe(
      'set terminationGracePeriodSeconds: 36 or more, or lower LAMEDUCK_DRAIN_TIMEOUT_MS or LAMEDUCK_CLEANUP_TIMEOUT_MS',
    );
  });

  it('flags a TERMINATION_GRACE_PERIOD_SECONDS that tells the app less than its budget needs from SIGTERM', () => {
    expect(
      findings(withEnv(cleanYaml, 'TERMINATION_GRACE_PERIOD_SECONDS', '30'), 'grace-period-too-short'),
    ).toEqual([]);
    const [finding] = findings(
      withEnv(cleanYaml, 'TERMINATION_GRACE_PERIOD_SECONDS', '25'),
      'grace-period-too-short',
    );
    expect(finding?.message).toBe(
      'TERMINATION_GRACE_PERIOD_SECONDS 25 tells container "web" it has less than its shutdown needs from SIGTERM (LAMEDUCK_DRAIN_DELAY_MS 0 + LAMEDUCK_DRAIN_TIMEOUT_MS 20000 + lameduck\'s own waits 350 + LAMEDUCK_CLEANUP_TIMEOUT_MS 5000 + headroom 1000 = 26350 ms); at startup lameduck cuts its drain to fit, or refuses to start with LAMEDUCK_BUDGET=refuse',
    );
    expect(finding?.fix).toBe(
      'set TERMINATION_GRACE_PERIOD_SECONDS to terminationGracePeriodSeconds minus the preStop sleep (30), or lower LAMEDUCK_DRAIN_TIMEOUT_MS',
    );
  });

  it('names the default grace period when the manifest leaves it out', () => {
    const text = withEnv(cleanWith([/ {6}terminationGracePeriodSeconds: 35\n/, '']), 'X', '1');
    expect(findings(text, 'grace-period-too-short')[0]?.message).toMatch(
      /^terminationGracePeriodSeconds 30 \(default\) /,
    );
  });

  it('gives a container that is not a lameduck app the generic budget: preStop + 5 s', () => {
    const generic = cleanWith([/ {12}- name: LAMEDUCK_\w+\n.*\n/g, '']);
    expect(
      findings(
        cleanWith(
          [/ {12}- name: LAMEDUCK_\w+\n.*\n/g, ''],
          ['terminationGracePeriodSeconds: 35', 'terminationGracePeriodSeconds: 10'],
        ),
        'grace-period-too-short',
      ),
    ).toEqual([]);
    const short = generic.replace('terminationGracePeriodSeconds: 35', 'terminationGracePeriodSeconds: 8');
    const [finding] = findings(short, 'grace-period-too-short');
    expect(finding?.message).toBe(
      'terminationGracePeriodSeconds 8 leaves container "web" 3 s after its preStop 5 s to finish in-flight requests before SIGKILL',
    );
    expect(finding?.severity).toBe('warning');
    expect(finding?.fix).not.toContain('LAMEDUCK_');
  });
});
