import { describe, expect, it } from 'vitest';
import { cleanWith, cleanYaml, findings, withEnv } from '../../../test/helpers.js';
import { probeCommandTimeoutMs } from './probe-timeout.js';

describe('probe-timeout-too-short', () => {
  it('passes a check timeout just under the probe timeout', () => {
    expect(findings(withEnv(cleanYaml, 'LAMEDUCK_CHECK_TIMEOUT_MS', '999'))).toEqual([]);
  });

  it('flags each probe that gives up no later than the checks, in one line per container', () => {
    const text = withEnv(
      cleanWith([
        'periodSeconds: 10\n            timeoutSeconds: 1',
        'periodSeconds: 10\n            timeoutSeconds: 3',
      ]),
      'LAMEDUCK_CHECK_TIMEOUT_MS',
      '2000',
    );
    const [finding, ...rest] = findings(text, 'probe-timeout-too-short');
    expect(rest).toEqual([]);
    expect(finding?.message).toBe(
      'container "web" startupProbe (timeoutSeconds 1, the default), readinessProbe (timeoutSeconds 1) give up no later than the health checks\' LAMEDUCK_CHECK_TIMEOUT_MS 2000: a slow check fails the probe with no reason instead of a 503 that names the check',
    );
    expect(finding?.fix).toBe('set timeoutSeconds: 3 or more, or lower LAMEDUCK_CHECK_TIMEOUT_MS');
  });

  it('leaves containers that are not lameduck apps alone: their checks have no such timeout', () => {
    const generic = cleanWith(
      [/ {12}- name: LAMEDUCK_\w+\n.*\n/g, ''],
      ['periodSeconds: 5\n            timeoutSeconds: 1', 'periodSeconds: 5\n            timeoutSeconds: 0'],
    );
    expect(findings(generic, 'probe-timeout-too-short')).toEqual([]);
    expect(
      findings(withEnv(generic, 'LAMEDUCK_CHECK_TIMEOUT_MS', '500'), 'probe-timeout-too-short'),
    ).toHaveLength(1);
  });

  it('leaves tcpSocket probes alone: they never reach the health checks', () => {
    const text = withEnv(
      cleanWith([
        'livenessProbe:\n            httpGet:\n              path: /livez\n              port: http',
        'livenessProbe:\n            tcpSocket:\n              port: http',
      ]),
      'LAMEDUCK_CHECK_TIMEOUT_MS',
      '1000',
    );
    expect(findings(text, 'probe-timeout-too-short')[0]?.message).not.toContain('livenessProbe');
  });
});

describe('probeCommandTimeoutMs', () => {
  const exec = (...command: string[]) => ({ type: 'exec' as const, command });

  it('reads --timeout of lameduck-probe, in either spelling, with 1000 ms by default', () => {
    expect(probeCommandTimeoutMs(exec('lameduck-probe', 'http://x/readyz'))).toBe(1000);
    expect(
      probeCommandTimeoutMs(exec('/app/node_modules/.bin/lameduck-probe', 'u', '--timeout', '700')),
    ).toBe(700);
    expect(
      probeCommandTimeoutMs(
        exec('node', '/a/node_modules/@lameduck/core/dist/bin/probe.js', '--timeout=300', 'u'),
      ),
    ).toBe(300);
  });

  it('knows nothing of other commands', () => {
    expect(probeCommandTimeoutMs(exec('curl', '--timeout', '3'))).toBeUndefined();
    expect(probeCommandTimeoutMs({ type: 'sleep', seconds: 1 })).toBeUndefined();
  });
});
