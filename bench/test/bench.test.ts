import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { busyWarning, type Row } from '../src/report.js';
import { unsaturated } from '../src/scenarios/overhead.js';
import type { Variant } from '../src/spec.js';

// The harness runs in smoke mode: a few hundred requests, one round. This proves that the
// scripts run and print well-formed rows; it asserts nothing about speed, because a benchmark
// is not a test and a slow or busy machine must not fail `pnpm test`.
const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const GENEROUS_MS = 10 * 60_000;

/** Names of numeric figures say their unit (or that they are a count or a ratio). */
const FIGURE_NAME =
  /(PerSec|Ms|Us|Bytes|PerRequest|PerConnection|Ratio|Runs|[cC]onnections|[rR]equests|rounds|pipelining|failures|errors|Resets|Objects)$/;

interface Output {
  machine: { cpus: number; model: string; node: string };
  warnings: string[];
  rows: Record<string, unknown>[];
  profiles: { file: string; busyMs: number; lameduckInclusiveMs: number; inlinedFrameworkMs: number }[];
}

function bench(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: GENEROUS_MS });
}

describe('warnings', () => {
  it('says the machine was busy when the load average exceeded the CPU count at the start or during the run', () => {
    expect(busyWarning(2, 1.2, 1.9)).toBeUndefined();
    expect(busyWarning(2, 2.5, 1.9)).toMatch(/busy .* 2\.50 at the start.*noisy/);
    expect(busyWarning(2, 1.2, 7)).toMatch(/up to 7\.00 during the run/);
  });

  it('flags every row whose server was below 95% busy in some round', () => {
    const row = (variant: Variant, minServerCpuBusyRatio: number): Row => ({
      scenario: 'overhead',
      framework: 'node',
      variant,
      variantLabel: variant,
      minServerCpuBusyRatio,
    });
    const warnings = unsaturated([row('bare', 0.99), row('lameduck', 0.9)]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/node lameduck: server CPU busy 90%/);
  });
});

describe('pnpm bench', () => {
  it('is built before the test runs (turbo runs build first)', () => {
    expect(existsSync(cli), `${cli} is missing: run pnpm build`).toBe(true);
  });

  it('prints its options for --help and refuses an unknown flag', () => {
    const help = bench('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--quick');
    const wrong = bench('--no-such-flag');
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('Usage: pnpm bench');
  });

  it(
    'runs every scenario in smoke mode and prints well-formed JSON rows',
    () => {
      const run = bench('--smoke', '--json');
      expect(run.status, run.stderr.slice(-2000)).toBe(0);
      const output = JSON.parse(run.stdout) as Output;
      expect(output.machine.cpus).toBeGreaterThan(0);
      expect(output.machine.model).not.toBe('');
      expect(output.machine.node).toBe(process.version);

      const scenarios = new Set(output.rows.map((row) => row.scenario));
      expect([...scenarios].sort()).toEqual([
        'doctor-scale',
        'memory',
        'overhead',
        'probe-cost',
        'probes',
        'shutdown',
      ]);
      for (const row of output.rows) {
        expect(['node', 'express', 'koa', 'hono']).toContain(row.framework);
        expect(typeof row.variant).toBe('string');
        for (const [name, value] of Object.entries(row)) {
          if (typeof value === 'number')
            expect(name, `${name} in ${JSON.stringify(row)}`).toMatch(FIGURE_NAME);
        }
      }

      const overhead = output.rows.filter((row) => row.scenario === 'overhead');
      expect(overhead.map((row) => `${row.framework}/${row.variant}`)).toEqual(
        expect.arrayContaining([
          'node/bare',
          'node/lameduck',
          'express/terminus',
          'koa/lameduck',
          'hono/lameduck',
        ]),
      );
      for (const row of overhead) {
        expect(row.requestsPerSec).toBeGreaterThan(0);
        expect(Number.isFinite(row.p99Ms)).toBe(true);
        expect(Number.isFinite(row.throughputRatio)).toBe(true);
      }
      const probeCost = output.rows.filter((row) => row.scenario === 'probe-cost');
      expect(probeCost.map((row) => `${row.variant} ${row.path}`)).toEqual(['bare /', 'lameduck /readyz']);
      for (const row of [...overhead, ...probeCost]) {
        expect(row.serverCpuUsPerRequest).toBeGreaterThan(0);
        expect(row.roundsServerCpuUsPerRequest).toHaveLength(row.rounds as number);
      }
      expect(Array.isArray(output.warnings)).toBe(true);
      for (const row of output.rows.filter((row) => row.scenario === 'probes')) {
        expect(row.checkRuns).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(row.p50Ms)).toBe(true);
      }
      for (const row of output.rows.filter((row) => row.scenario === 'shutdown')) {
        expect(Number.isFinite(row.exitMs)).toBe(true);
        expect(Number.isFinite(row.aboveFloorMs)).toBe(true);
      }
      const doctor = output.rows.filter((row) => row.scenario === 'doctor-scale');
      expect(doctor.map((row) => row.input)).toEqual(['20 pairs', '40 pairs', '0.1 MB of ConfigMaps']);
      for (const row of doctor) {
        expect(row.wallMs).toBeGreaterThan(0);
        expect(row.peakRssBytes).toBeGreaterThan(0);
        expect(['0', '1']).toContain(row.exit);
      }
      for (const row of output.rows.filter((row) => row.scenario === 'memory')) {
        expect(row.heapBeforeBytes).toBeGreaterThan(0);
        expect(Number.isFinite(row.heapGrowthBytesPerRequest)).toBe(true);
        expect(Number.isFinite(row.heapGrowthBytesPerConnection)).toBe(true);
      }
    },
    GENEROUS_MS,
  );

  it(
    "profiles the overhead servers with inlining off, and then leaves none of lameduck's samples out",
    () => {
      const run = bench(
        '--smoke',
        '--json',
        '--scenarios=overhead',
        '--frameworks=koa',
        '--cpu-prof',
        '--no-inlining',
        // A second of load: enough samples on lameduck's frames for the rule to have lines to judge.
        '--duration=1',
      );
      expect(run.status, run.stderr.slice(-2000)).toBe(0);
      const output = JSON.parse(run.stdout) as Output;
      const lameduck = output.profiles.find((profile) => profile.file.endsWith('overhead-koa-lameduck'));
      expect(lameduck, output.profiles.map((profile) => profile.file).join(', ')).toBeDefined();
      expect(lameduck!.lameduckInclusiveMs).toBeGreaterThan(0);
      // Every sample is on the function that spent it: no framework code sits in lameduck's
      // frames, so the line rule must find nothing to leave out.
      expect(lameduck!.inlinedFrameworkMs).toBe(0);
    },
    GENEROUS_MS,
  );
});
