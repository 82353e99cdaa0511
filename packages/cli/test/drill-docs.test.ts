import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module beside the recorded runs, shared with `node` for printing.
import * as results from '../../../docs/drill-results/table.mjs';
import { formatDrainRuns, formatDrainVerdict } from '../src/drill/drain-table.js';
import type { NodeDrainResult } from '../src/drill/node-drain.js';
import { formatRuns, formatVerdict } from '../src/drill/table.js';

const { nginxTable, nodeDrainTable, recorded, recordedNodeDrain, recordedTable } = results;

// One source of numbers: the drill's figures in the docs come from the runs recorded in
// docs/drill-results/ (five `pnpm drill` per network), and this test holds the docs to them.

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const DOCS = [
  'README.md',
  'packages/cli/README.md',
  'packages/core/README.md',
  'docs/deploying-to-kubernetes.md',
];

describe('the figures quoted in the docs', () => {
  const table = (recordedTable as () => string)();

  it.each(DOCS)('%s quotes the recorded ranges, verbatim', (path) => {
    expect(read(path)).toContain(table);
  });

  it.each(['userspace', 'kernel'])(
    'the %s sample table in the READMEs is the first recorded run',
    (network) => {
      const { sets } = (recorded as (network: string) => { sets: Parameters<typeof formatRuns>[0][] })(
        network,
      );
      const first = sets[0] ?? [];
      const sample = `${formatRuns(first)}\n\n${first.map(formatVerdict).join('\n')}`;
      // The CLI's README shows both; the root README the kernel one.
      if (network === 'kernel') expect(read('README.md')).toContain(sample);
      expect(read('packages/cli/README.md')).toContain(sample);
    },
  );

  it('the recorded runs meet what the README claims: lameduck 0 failed every run with at least 5,000 requests', () => {
    for (const network of ['userspace', 'kernel']) {
      const { sets } = (
        recorded as (network: string) => {
          sets: { mode: string; failed: number; requests: number; network: string }[][];
        }
      )(network);
      expect(sets).toHaveLength(5);
      for (const set of sets) {
        expect(set.map((run) => run.mode)).toEqual(['naive', 'naive-prestop', 'lameduck']);
        expect(new Set(set.map((run) => run.network))).toEqual(new Set([network]));
        const lameduck = set.find((run) => run.mode === 'lameduck');
        expect(lameduck?.failed).toBe(0);
        expect(lameduck?.requests).toBeGreaterThanOrEqual(5000);
        expect(set.find((run) => run.mode === 'naive')?.failed).toBeGreaterThan(0);
      }
    }
  });

  describe('the node drain', () => {
    const { networks } = (
      recordedNodeDrain as () => { networks: Record<string, { sets: NodeDrainResult[][] }> }
    )();

    it.each(['packages/cli/README.md', 'docs/deploying-to-kubernetes.md'])(
      '%s quotes the recorded node-drain ranges, verbatim',
      (path) => {
        expect(read(path)).toContain((nodeDrainTable as () => string)());
      },
    );

    it('the CLI README shows the first recorded kernel run', () => {
      const first = networks.kernel?.sets[0] ?? [];
      expect(read('packages/cli/README.md')).toContain(
        `${formatDrainRuns(first)}\n\n${first.map(formatDrainVerdict).join('\n')}`,
      );
    });

    it('the recorded runs meet what the docs claim: without a PDB 0 ready endpoints for a while and failures, with maxUnavailable 1 none failed and never fewer than 1 ready, a slower drain', () => {
      for (const network of ['userspace', 'kernel']) {
        const sets = networks[network]?.sets ?? [];
        expect(sets).toHaveLength(5);
        for (const set of sets) {
          expect(set.map((run) => run.label)).toEqual(['no PDB', 'PDB maxUnavailable 1']);
          expect(new Set(set.map((run) => run.network))).toEqual(new Set([network]));
          const [bare, guarded] = set as [NodeDrainResult, NodeDrainResult];
          expect(bare.fewestReady).toBe(0);
          expect(bare.zeroReadyMs).toBeGreaterThan(0);
          expect(bare.failed).toBeGreaterThan(0);
          expect(guarded.failed).toBe(0);
          expect(guarded.fewestReady).toBeGreaterThanOrEqual(1);
          expect(guarded.requests).toBeGreaterThanOrEqual(5000);
          expect(guarded.drainMs).toBeGreaterThan(bare.drainMs);
        }
      }
    });
  });
});

describe('the idle-race figures in the CLI README', () => {
  it('are docs/drill-results/idle-race.txt, verbatim', () => {
    const recorded = read('docs/drill-results/idle-race.txt').split('\n').slice(3).join('\n').trimEnd();
    expect(recorded).toContain('lameduck: 0 of 1800 requests failed behind nginx');
    expect(read('packages/cli/README.md')).toContain(recorded);
  });
});

describe('the --ingress nginx series in the docs', () => {
  const { sets } = recorded('nginx') as {
    sets: {
      mode: string;
      network: string;
      requests: number;
      settings: { ingress: string };
      ingress: unknown;
    }[][];
  };

  it('is ten pnpm drill --ingress nginx runs, the three baselines side by side, each with what nginx masked', () => {
    expect(sets).toHaveLength(10);
    for (const set of sets) {
      expect(set.map((run) => run.mode)).toEqual(['naive', 'naive-prestop', 'lameduck']);
      for (const run of set) {
        expect(run.settings.ingress).toBe('nginx');
        expect(run.network).toBe('kernel');
        expect(run.ingress).toBeDefined();
        expect(run.requests).toBeGreaterThan(1000);
      }
    }
  });

  it.each(['packages/cli/README.md', 'docs/deploying-to-kubernetes.md'])(
    '%s quotes its table verbatim',
    (path) => {
      expect(read(path)).toContain((nginxTable as () => string)());
    },
  );
});

describe('the ingress slower than the pause (--lag-ms 3000-5000), before and after the quiet window', () => {
  it.each([
    ['nginx-slow-before', 3],
    ['nginx-slow', 5],
  ])('%s: its runs are whole and the CLI README quotes its table verbatim', (name, runs) => {
    const { command, sets } = recorded(name) as {
      command: string;
      sets: { mode: string; settings: { ingress: string; lagMs: number[] } }[][];
    };
    expect(command).toContain('--lag-ms 3000-5000');
    expect(sets).toHaveLength(runs);
    for (const set of sets) {
      expect(set.map((run) => run.mode)).toEqual(['naive', 'naive-prestop', 'lameduck']);
      for (const run of set) expect(run.settings).toMatchObject({ ingress: 'nginx', lagMs: [3000, 5000] });
    }
    expect(read('packages/cli/README.md')).toContain((nginxTable as (name: string) => string)(name));
  });
});
