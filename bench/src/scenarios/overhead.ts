import { join } from 'node:path';
import type { ServerChild } from '../child.js';
import { type BenchContext, roundOrder, startChild } from '../context.js';
import { median } from '../load.js';
import { pipelinedLoad } from '../pipelined.js';
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
    title: 'lameduck µs/req (min–max)',
    value: spread('lameduckUsPerRequest', 'roundsLameduckUsPerRequest', 2),
  },
  {
    title: 'lameduck in profile (min–max)',
    value: spread('lameduckProfileShareRatio', 'roundsLameduckProfileShareRatio', 1, true),
  },
  {
    title: 'CPU vs bare (min–max)',
    value: spread('cpuPerRequestRatio', 'roundsCpuPerRequestRatio', 1, true),
  },
  {
    title: 'server CPU busy (min–max)',
    value: spread('serverCpuBusyRatio', 'roundsServerCpuBusyRatio', 0, true),
  },
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
  requests: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerRequest: number;
  cpuBusy: number;
  errors: number;
  /** With --cpu-prof: this round's profile (it covers the measured run only). */
  lameduckShare?: number;
  lameduckUsPerRequest?: number;
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
      // Before/after in the same rounds: lameduck with core from another build.
      ...(framework === 'node' && context.settings.baselineCore !== undefined
        ? (['lameduck-baseline'] as const)
        : []),
      ...(context.settings.breakdown
        ? framework === 'node'
          ? (['lameduck-attach', 'lameduck-probe'] as const)
          : (['noop-middleware'] as const)
        : []),
    ];
    const baselineCore = context.settings.baselineCore;
    const entries = variants.map((variant) => ({
      spec: {
        framework,
        variant,
        ...(variant === 'lameduck-baseline' && baselineCore !== undefined ? { coreDir: baselineCore } : {}),
      },
      path: '/',
    }));
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
  const extraRoots = context.settings.baselineCore === undefined ? [] : [context.settings.baselineCore];
  const loadOn = (entry: PairedEntry, how: { durationS: number } | { amount: number }, latencies = true) =>
    pipelinedLoad(children.get(entry)!.port, entry.path, {
      connections: overhead.connections,
      depth: overhead.pipelining,
      latencies,
      ...how,
    });
  try {
    // Inlining off for the cross-check of --cpu-prof's attribution (see Settings.noInlining).
    const execArgv = context.settings.noInlining ? ['--no-turbo-inlining'] : [];
    for (const entry of entries) children.set(entry, await startChild(context, entry.spec, { execArgv }));
    const samples = new Map<PairedEntry, Sample[]>(entries.map((entry) => [entry, []]));
    const served = new Map<PairedEntry, number>(entries.map((entry) => [entry, 0]));
    context.log(`${scenario}: warming up ${entries.map(name).join(', ')}`);
    for (const entry of entries) {
      const warmup = await loadOn(entry, { amount: overhead.warmupRequests }, false);
      served.set(entry, warmup.requests);
    }
    for (let index = 0; index < overhead.rounds; index += 1) {
      for (const entry of roundOrder(entries, index)) {
        const child = children.get(entry)!;
        // One profile per round, around the measured run only: its share has a range too.
        const profileFile = context.profileDir
          ? join(context.profileDir, `${scenario}-${name(entry)}-round${index + 1}.cpuprofile`)
          : undefined;
        if (profileFile) await child.profile();
        const before = await child.stats();
        const result = await loadOn(
          entry,
          overhead.amount === undefined ? { durationS: overhead.durationS } : { amount: overhead.amount },
        );
        const after = await child.stats();
        if (profileFile) await child.profile(profileFile);
        const cpuUs = after.cpuUs - before.cpuUs;
        served.set(entry, served.get(entry)! + result.requests);
        const profiled = profileFile ? summariseProfile(profileFile, extraRoots) : undefined;
        samples.get(entry)!.push({
          requests: result.requests,
          ...(profiled === undefined
            ? {}
            : {
                lameduckShare: profiled.busyMs === 0 ? 0 : profiled.lameduckInclusiveMs / profiled.busyMs,
                lameduckUsPerRequest: (profiled.lameduckInclusiveMs * 1000) / Math.max(1, result.requests),
              }),
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
            const lameduck =
              last.lameduckUsPerRequest === undefined
                ? ''
                : `, lameduck ${last.lameduckUsPerRequest.toFixed(2)}`;
            return `${name(entry)} ${last.cpuUsPerRequest.toFixed(1)} µs/req${lameduck} (${Math.round(last.cpuBusy * 100)}% busy)`;
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
        servedRequests: served.get(entry)!,
        // The requests the profiles cover: the measured rounds, not the warm-up.
        profiledRequests: own.reduce((total, sample) => total + sample.requests, 0),
        profileName: `${scenario}-${name(entry)}`,
        ...profileFigures(own),
      });
    }
  } finally {
    for (const child of children.values()) await child.kill();
  }
  return rows;
}

/** With --cpu-prof: lameduck's share of each round's profile and its time per request, median and rounds. */
function profileFigures(own: readonly Sample[]): Record<string, number | number[]> {
  const shares = own.flatMap((sample) => (sample.lameduckShare === undefined ? [] : [sample.lameduckShare]));
  const perRequest = own.flatMap((sample) =>
    sample.lameduckUsPerRequest === undefined ? [] : [sample.lameduckUsPerRequest],
  );
  if (shares.length === 0) return {};
  return {
    lameduckProfileShareRatio: round(median(shares), 4),
    roundsLameduckProfileShareRatio: shares.map((share) => round(share, 4)),
    lameduckUsPerRequest: round(median(perRequest), 3),
    roundsLameduckUsPerRequest: perRequest.map((us) => round(us, 3)),
  };
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
