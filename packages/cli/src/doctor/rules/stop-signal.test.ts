import { describe, expect, it } from 'vitest';
import { cleanWith, findings } from '../../../test/helpers.js';

const withStopSignal = (signal: string) =>
  cleanWith(['          lifecycle:\n', `          lifecycle:\n            stopSignal: ${signal}\n`]);

describe('stop-signal-not-handled', () => {
  it('flags a stop signal lameduck does not drain on, naming it', () => {
    const [finding] = findings(withStopSignal('SIGQUIT'), 'stop-signal-not-handled');
    expect(finding?.message).toBe(
      'container "web" has lifecycle.stopSignal SIGQUIT: the kubelet stops it with SIGQUIT, which lameduck does not listen for (it drains on SIGTERM and SIGINT), so Node\'s default for SIGQUIT runs instead of the drain',
    );
    expect(finding?.severity).toBe('warning');
  });

  it.each(['SIGTERM', 'SIGINT', 'TERM'])('passes stopSignal %s', (signal) => {
    expect(findings(withStopSignal(signal))).toEqual([]);
  });

  it('leaves containers that are not lameduck apps alone', () => {
    const text = withStopSignal('SIGUSR1').replace(/ {12}- name: LAMEDUCK_\w+\n.*\n/g, '');
    expect(findings(text, 'stop-signal-not-handled')).toEqual([]);
  });
});
