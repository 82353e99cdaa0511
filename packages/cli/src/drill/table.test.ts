import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sampleRun } from '../../test/drill-results.js';
import { loadSpec } from './spec.js';
import { describeSpec, formatRuns, formatVerdict } from './table.js';

describe('formatRuns', () => {
  it('puts the runs side by side, one column each, with failures by kind', () => {
    const table = formatRuns([sampleRun('lameduck', false), sampleRun('naive', true)]);
    const lines = table.split('\n');
    expect(lines[0]?.trim().split(/\s+/)).toEqual(['lameduck', 'naive']);
    expect(lines.find((line) => line.startsWith('requests'))?.split(/\s+/)).toEqual(['requests', '3', '3']);
    expect(lines.find((line) => line.startsWith('failed'))?.split(/\s+/)).toEqual(['failed', '0', '1']);
    expect(
      lines
        .find((line) => line.startsWith('  refused'))
        ?.trim()
        .split(/\s+/),
    ).toEqual(['refused', '0', '1']);
    expect(table).toContain('pods replaced');
    expect(table).toMatch(/answered v1 \/ v2 +2 \/ 1 +1 \/ 1/);
    expect(table).toMatch(/old pods exited +1 × exit code 0 +1 × exit code 0/);
  });
});

describe('formatVerdict', () => {
  it('says how many failed and why', () => {
    expect(formatVerdict(sampleRun('lameduck', false))).toBe('lameduck: 0 of 3 requests failed');
    expect(formatVerdict(sampleRun('naive', true))).toBe('naive: 1 of 3 requests failed (1 refused)');
  });
});

describe('describeSpec', () => {
  it('says what the drill read from the manifest', async () => {
    const spec = await loadSpec([
      fileURLToPath(new URL('../../test/fixtures/drill/demo.yaml', import.meta.url)),
    ]);
    const [deployment, rollout, probes] = describeSpec(spec);
    expect(deployment).toMatch(/^Deployment\/express-demo \(.*demo\.yaml\), container express-demo$/);
    expect(rollout).toBe(
      '3 replicas, maxSurge 1, maxUnavailable 0; preStop sleep 5 s; terminationGracePeriodSeconds 35; LAMEDUCK_DRAIN_DELAY_MS 0, LAMEDUCK_DRAIN_TIMEOUT_MS 20000',
    );
    expect(probes).toBe(
      'startup /startupz every 2 s (timeout 1 s, failure 30); readiness /readyz every 5 s (timeout 1 s, failure 2); liveness /livez every 10 s (timeout 1 s, failure 3)',
    );
  });
});
