import { describe, expect, it } from 'vitest';
import { cleanWith, findings } from '../../../test/helpers.js';

const sidecar = (seconds: number, extra = '') =>
  `      initContainers:
        - name: log-shipper
          image: registry.example.com/log-shipper:1.0.0
          restartPolicy: ${extra || 'Always'}
          lifecycle:
            preStop:
              sleep:
                seconds: ${seconds}
      containers:
`;

describe('sidecar-grace-period', () => {
  it("adds a native sidecar's preStop to the app's shutdown", () => {
    const [finding] = findings(cleanWith(['      containers:\n', sidecar(10)]), 'sidecar-grace-period');
    expect(finding?.message).toBe(
      'terminationGracePeriodSeconds 35 covers the app containers (31.4 s) but not the native sidecars stopped after them: 31.4 s + native sidecar container "log-shipper" 10 s = 41.4 s; SIGKILL ends the sidecars\' shutdown',
    );
    expect(finding?.fix).toBe(
      "set terminationGracePeriodSeconds: 42 or more, or shorten the sidecars' preStop pauses",
    );
  });

  it('passes a sidecar that fits in what is left', () => {
    expect(findings(cleanWith(['      containers:\n', sidecar(3)]))).toEqual([]);
  });

  it('ignores an init container that is not a sidecar (no restartPolicy: Always)', () => {
    expect(findings(cleanWith(['      containers:\n', sidecar(10, 'OnFailure')]))).toEqual([]);
  });

  it('leaves a grace period already too short for the app to grace-period-too-short', () => {
    const text = cleanWith(
      ['      containers:\n', sidecar(10)],
      ['terminationGracePeriodSeconds: 35', 'terminationGracePeriodSeconds: 30'],
    );
    expect(findings(text).map((finding) => finding.rule)).toEqual(['grace-period-too-short']);
  });
});
