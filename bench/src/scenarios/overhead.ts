import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerChild } from '../child.js';
import { type BenchContext, roundOrder, startChild } from '../context.js';
import { load, median } from '../load.js';
import { summariseProfile } from '../profile.js';
import { type Column, type Row, round, show, spread } from '../report.js';
import type { Framework, ServerSpec, Variant } from '../spec.js';

/** The bare framework first: every other variant is compared with it, round by round. */
export const OVERHEAD_VARIANTS: Record<Framework, Variant[]> = {
  node: ['bare', 'lameduck', 'lightship'],
  express: ['bare', 'lameduck', 'terminus'],
  koa: ['bare', 'lameduck'],
  hono: ['bare', 'lameduck'],
};

/** Below this share of one CPU, the load generator rather than the server may set the pace. */
export const SATURATED_BUSY_RATIO = 0.95;

/** Server CPU per request first: the figure that holds still when the machine is shared. */
export const OVERHEAD_COLUMNS: Column[] = [
  { title: 'framework', value: show.text('framework'), text: true },
  { title: 'variant', value: show.text('variantLabel'), text: true },
  { title: 'target', value: show.text('path'), text: true },
  {
    title: 'server CPU µs/req (min–max)',
    value: spread('serverCpuUsPerRequest', 'roundsServerCpuUsPerRequest', 1),
  },
  {
    title: 'CPU vs bare (min–max)',
    value: spread('cpuPerRequestRatio', 'roundsCpuPerRequestRatio', 1, true),
  },
  { title: 'server CPU busy', value: show.percent('serverCpuBusyRatio') },
  { title: 'lameduck in profile', value: show.percent('lameduckProfileShareRatio') },
  { title: 'lameduck µs/req', value: show.number('lameduckUsPerRequest', 2) },
  { title: 'req/s', value: show.number('requestsPerSec') },
  { title: 'vs bare', value: show.percent('throughputRatio') },
  { title: 'p50 ms', value: show.number('p50Ms', 2) },
  { title: 'p99 ms', value: show.number('p99Ms', 2) },
];

const LABELS: Partial<Record<Variant, string>> = {
  lightship: 'http-terminator + lightship',
  terminus: '@godaddy/terminus',
  'lameduck-attach': 'lameduck attach() only',
  'lameduck-probe': 'lameduck respondToNode() only',
  'lameduck-baseline': 'lameduck (baseline core)',
  'noop-middleware': 'one no-op middleware',
};

interface Sample {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerRequest: number;
  cpuBusy: number;
  errors: number;
}

/** One server of a paired comparison, and the path the load asks for. */
export interface PairedEntry {
  spec: ServerSpec;
  path: string;
  label?: string;
}

/**
 * Per-request overhead: hello-world throughput and latency with keep-alive clients, each
 * framework bare against the same app with lameduck (and its peers), in alternating rounds.
 */
export async function runOverhead(context: BenchContext): Promise<Row[]> {
  const rows: Row[] = [];
  for (const framework of context.settings.frameworks) {
    const variants: Variant[] = [
      ...OVERHEAD_VARIANTS[framework],
      ...(context.settings.breakdown
        ? framework === 'node'
          ? (['lameduck-attach', 'lameduck-probe'] as const)
          : (['noop-middleware'] as const)
        : []),
    ];
    const entries = variants.map((variant) => ({ spec: { framework, variant }, path: '/' }));
    rows.push(...(await runPaired(context, 'overhead', entries)));
  }
  return rows;
}

/**
 * Runs every entry's server in its own child, warms each up, then measures them in ABBA
 * rounds under the same load; the first entry is the reference of every ratio.
 */
export async function runPaired(
  context: BenchContext,
  scenario: 'overhead' | 'probe-cost',
  entries: readonly PairedEntry[],
): Promise<Row[]> {
  const { overhead } = context.settings;
  const rows: Row[] = [];
  const children = new Map<PairedEntry, ServerChild>();
  const name = (entry: PairedEntry) => `${entry.spec.framework}-${entry.spec.variant}`;
  const execArgv = (entry: PairedEntry) =>
    context.profileDir
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${context.profileDir}`,
          `--cpu-prof-name=${scenario}-${name(entry)}.cpuprofile`,
        ]
      : [];
  const url = (entry: PairedEntry) => `${children.get(entry)!.url.replace(/\/$/, '')}${entry.path}`;
  try {
    for (const entry of entries) {
      children.set(entry, await startChild(context, entry.spec, { execArgv: execArgv(entry) }));
    }
    const samples = new Map<PairedEntry, Sample[]>(entries.map((entry) => [entry, []]));
    const served = new Map<PairedEntry, number>(entries.map((entry) => [entry, 0]));
    context.log(`${scenario}: warming up ${entries.map(name).join(', ')}`);
    for (const entry of entries) {
      const warmup = await load(url(entry), {
        connections: overhead.connections,
        pipelining: overhead.pipelining,
        amount: overhead.warmupRequests,
        latencies: false,
      });
      served.set(entry, warmup.requests);
    }
    for (let index = 0; index < overhead.rounds; index += 1) {
      for (const entry of roundOrder(entries, index)) {
        const child = children.get(entry)!;
        const before = await child.stats();
        const result = await load(url(entry), {
          connections: overhead.connections,
          pipelining: overhead.pipelining,
          ...(overhead.amount === undefined
            ? { durationS: overhead.durationS }
            : { amount: overhead.amount }),
        });
        const after = await child.stats();
        const cpuUs = after.cpuUs - before.cpuUs;
        served.set(entry, served.get(entry)! + result.requests);
        samples.get(entry)!.push({
          requestsPerSec: result.requestsPerSec,
          p50Ms: result.p50Ms,
          p99Ms: result.p99Ms,
          cpuUsPerRequest: cpuUs / Math.max(1, result.requests),
          cpuBusy: cpuUs / 1000 / result.elapsedMs,
          errors: result.errors + result.non2xx,
        });
      }
      context.log(
        `${scenario} round ${index + 1}/${overhead.rounds}: ${entries
          .map((entry) => {
            const last = samples.get(entry)!.at(-1)!;
            return `${name(entry)} ${last.cpuUsPerRequest.toFixed(1)} µs/req (${Math.round(last.cpuBusy * 100)}% busy)`;
          })
          .join(', ')}`,
      );
    }
    const reference = samples.get(entries[0]!)!;
    for (const entry of entries) {
      const own = samples.get(entry)!;
      // Paired by round: each round's ratio compares two runs made seconds apart.
      const perRound = (pick: (sample: Sample) => number) =>
        own.map((sample, index) => pick(sample) / pick(reference[index]!));
      const cpuRatios = perRound((sample) => sample.cpuUsPerRequest);
      rows.push({
        scenario,
        framework: entry.spec.framework,
        variant: entry.spec.variant,
        variantLabel: entry.label ?? LABELS[entry.spec.variant] ?? entry.spec.variant,
        path: entry.path,
        rounds: own.length,
        connections: overhead.connections,
        pipelining: overhead.pipelining,
        requestsPerSec: round(median(own.map((sample) => sample.requestsPerSec)), 0),
        p50Ms: round(median(own.map((sample) => sample.p50Ms)), 3),
        p99Ms: round(median(own.map((sample) => sample.p99Ms)), 3),
        serverCpuUsPerRequest: round(median(own.map((sample) => sample.cpuUsPerRequest)), 2),
        serverCpuBusyRatio: round(median(own.map((sample) => sample.cpuBusy)), 3),
        minServerCpuBusyRatio: round(Math.min(...own.map((sample) => sample.cpuBusy)), 3),
        throughputRatio: round(median(perRound((sample) => sample.requestsPerSec)), 4),
        p99Ratio: round(median(perRound((sample) => sample.p99Ms)), 4),
        cpuPerRequestRatio: round(median(cpuRatios), 4),
        errors: own.reduce((total, sample) => total + sample.errors, 0),
        roundsRequestsPerSec: own.map((sample) => round(sample.requestsPerSec, 0)),
        roundsP99Ms: own.map((sample) => round(sample.p99Ms, 3)),
        roundsServerCpuUsPerRequest: own.map((sample) => round(sample.cpuUsPerRequest, 2)),
        roundsCpuPerRequestRatio: cpuRatios.map((ratio) => round(ratio, 4)),
        roundsServerCpuBusyRatio: own.map((sample) => round(sample.cpuBusy, 3)),
        // Warm-up included: what a --cpu-prof profile of this child covers.
        servedRequests: served.get(entry)!,
        profileName: `${scenario}-${name(entry)}`,
      });
    }
  } finally {
    for (const child of children.values()) await (context.profileDir ? child.exit() : child.kill());
  }
  if (context.profileDir) addProfileFigures(context, rows);
  return rows;
}

/**
 * With --cpu-prof: lameduck's share of each server's busy time (its own code and the Node
 * internals it called), and that time per request. One profile covers the whole run of a child
 * (warm-up included), so these have no per-round range.
 */
function addProfileFigures(context: BenchContext, rows: Row[]): void {
  const extraRoots = context.settings.baselineCore === undefined ? [] : [context.settings.baselineCore];
  for (const row of rows) {
    const file = join(context.profileDir!, `${row.profileName}.cpuprofile`);
    if (!existsSync(file)) continue;
    const summary = summariseProfile(file, extraRoots);
    const served = row.servedRequests as number;
    row.lameduckProfileShareRatio =
      summary.busyMs === 0 ? 0 : round(summary.lameduckInclusiveMs / summary.busyMs, 4);
    row.lameduckUsPerRequest = served > 0 ? round((summary.lameduckInclusiveMs * 1000) / served, 2) : null;
  }
}

/** Rows whose server was not saturated in some round: their req/s measured the load generator. */
export function unsaturated(rows: readonly Row[]): string[] {
  return rows
    .filter(
      (row) =>
        typeof row.minServerCpuBusyRatio === 'number' && row.minServerCpuBusyRatio < SATURATED_BUSY_RATIO,
    )
    .map(
      (row) =>
        `warning: ${row.framework} ${row.variantLabel}: server CPU busy ${((row.minServerCpuBusyRatio as number) * 100).toFixed(0)}% in its slowest round (< ${SATURATED_BUSY_RATIO * 100}%): the load generator, not the server, set the pace there; trust CPU µs/req, not req/s`,
    );
}
