import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { drillFixture, lameduckServerCommand } from './drill-helpers.js';

// `lameduck drill --scenario node-drain` as a user runs it: the built bin, real pods (the
// lameduck server of the other drill tests, 3 replicas), real load, nodes a and b drained at once
// without a PodDisruptionBudget and with maxUnavailable: 1.

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const NO_STACK = /\n\s+at |node:internal/;

interface DrainRun {
  label: string;
  budget: string;
  requests: number;
  failed: number;
  failedByKind: Record<string, number>;
  fewestReady: number;
  zeroReadyMs: number;
  drainMs: number;
  evictionsRefused: number;
  placement: Record<string, string[]>;
  pods: { name: string; node: string; exit?: string }[];
  drains: { node: string; pods: string[]; refused: number }[];
  settings: Record<string, unknown>;
}

function drill(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(packageDir, 'dist', 'cli.js'), 'drill', '--sequential', ...args],
      { cwd: packageDir, timeout: 240_000, maxBuffer: 10_000_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

describe('lameduck drill --scenario node-drain', () => {
  it('without a PDB the Service has no ready endpoint for a while and fails requests; with maxUnavailable 1 it keeps one or more and fails none, at the cost of a slower drain', async () => {
    const run = await drill(
      '--scenario',
      'node-drain',
      '--manifest',
      drillFixture('lameduck-server.yaml'),
      '--replicas',
      '3',
      '--rate',
      '80',
      '--keep-alive-clients',
      '6',
      '--lag-ms',
      '600',
      '--network',
      'userspace',
      '--json',
      '--',
      ...lameduckServerCommand(),
    );
    expect(run.stderr).not.toMatch(NO_STACK);
    expect(run.code, run.stderr).toBe(0);
    const runs = JSON.parse(run.stdout) as DrainRun[];
    expect(runs.map((each) => each.label)).toEqual(['no PDB', 'PDB maxUnavailable 1']);
    const [bare, guarded] = runs as [DrainRun, DrainRun];
    for (const each of runs) {
      expect(
        Object.fromEntries(Object.entries(each.placement).map(([node, pods]) => [node, pods.length])),
      ).toEqual({
        a: 2,
        b: 1,
      });
      expect(each.drains.map((drain) => [drain.node, drain.pods.length])).toEqual([
        ['a', 2],
        ['b', 1],
      ]);
      // Three evicted, three replacements on the nodes left, none SIGKILLed.
      const evicted = each.pods.filter((pod) => pod.exit !== undefined);
      expect(evicted.map((pod) => pod.exit)).toEqual(['exit code 0', 'exit code 0', 'exit code 0']);
      expect(
        each.pods.filter((pod) => pod.exit === undefined).every((pod) => ['c', 'd'].includes(pod.node)),
      ).toBe(true);
      expect(each.requests).toBeGreaterThan(500);
    }
    // No budget: all three evicted at once, the replacements start 3 s later.
    expect(bare).toMatchObject({ budget: 'no PodDisruptionBudget', evictionsRefused: 0, fewestReady: 0 });
    expect(bare.zeroReadyMs).toBeGreaterThan(1000);
    expect(bare.failed).toBeGreaterThan(0);
    // maxUnavailable 1: one pod at a time, the others answered 429 and asked again 5 s later.
    expect(guarded).toMatchObject({ budget: 'PDB maxUnavailable 1', failed: 0, zeroReadyMs: 0 });
    expect(guarded.fewestReady).toBeGreaterThanOrEqual(1);
    expect(guarded.evictionsRefused).toBeGreaterThanOrEqual(2);
    expect(guarded.drainMs).toBeGreaterThan(bare.drainMs + 5000);
    expect(guarded.settings).toMatchObject({ scenario: 'node-drain', replicas: 3, drained: ['a', 'b'] });
  }, 240_000);

  it('refuses --mode and --report with the scenario in one line, exit 2', async () => {
    const run = await drill(
      '--scenario',
      'node-drain',
      '--mode',
      'naive',
      '--manifest',
      drillFixture('fast.yaml'),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(NO_STACK);
    expect(run.stderr.trim()).toMatch(/--mode .*drop --mode/);
    const unknown = await drill('--scenario', 'rolling', '--manifest', drillFixture('fast.yaml'));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toMatch(
      /--scenario must be one of rolling-update, node-drain(, [a-z-]+)*, got rolling$/,
    );
  }, 60_000);
});
