import { describe, expect, it } from 'vitest';
import { formatDrainRuns, formatDrainVerdict } from './drain-table.js';
import type { NodeDrainResult } from './node-drain.js';
import { FAILURE_KINDS } from './requests.js';

function result(overrides: Partial<NodeDrainResult>): NodeDrainResult {
  const failedByKind = Object.fromEntries(
    FAILURE_KINDS.map((kind) => [kind, 0]),
  ) as NodeDrainResult['failedByKind'];
  return {
    label: 'no PDB',
    budget: 'no PodDisruptionBudget',
    service: 'express-demo',
    network: 'userspace',
    requests: 10_000,
    ok: 10_000,
    failed: 0,
    failedByKind,
    failedByCode: {},
    answeredBy: { v1: 10_000 },
    latencyMs: { p50: 2, p99: 40, max: 90 },
    durationMs: 30_000,
    ratePerSecond: 333,
    replicas: 3,
    placement: { a: ['p1', 'p2'], b: ['p3'] },
    drainMs: 6500,
    drains: [],
    evictionsRefused: 0,
    fewestReady: 0,
    zeroReadyMs: 7100,
    notSent: 0,
    restarts: 0,
    killedAtGracePeriod: 0,
    pods: [],
    events: [],
    failures: [],
    records: [],
    ...overrides,
  };
}

describe('the node-drain table', () => {
  it('puts the runs side by side with the drain figures', () => {
    const runs = [
      result({ failed: 800, failedByKind: { ...result({}).failedByKind, 'no-endpoint': 800 } }),
      result({
        label: 'PDB maxUnavailable 1',
        fewestReady: 2,
        zeroReadyMs: 0,
        drainMs: 26_300,
        evictionsRefused: 6,
      }),
    ];
    const table = formatDrainRuns(runs);
    expect(table).toMatch(/^\s+no PDB\s+PDB maxUnavailable 1$/m);
    expect(table).toMatch(/^placement\s+a: 2, b: 1\s+a: 2, b: 1$/m);
    expect(table).toMatch(/^ {2}no-endpoint\s+800\s+0$/m);
    expect(table).toMatch(/^fewest ready endpoints\s+0 of 3\s+2 of 3$/m);
    expect(table).toMatch(/^time at 0 ready\s+7\.1 s\s+0\.0 s$/m);
    expect(table).toMatch(/^drain \(a and b at once\)\s+6\.5 s\s+26\.3 s$/m);
    expect(table).toMatch(/^evictions refused \(429\)\s+0\s+6$/m);
    expect(formatDrainVerdict(runs[0] as NodeDrainResult)).toBe(
      'no PDB: 800 of 10000 requests failed (800 no-endpoint); 0 ready endpoints for 7.1 s; drain 6.5 s',
    );
    expect(formatDrainVerdict(runs[1] as NodeDrainResult)).toBe(
      'PDB maxUnavailable 1: 0 of 10000 requests failed; never fewer than 2 ready endpoints; drain 26.3 s',
    );
  });
});
