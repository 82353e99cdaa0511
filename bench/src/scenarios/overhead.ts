import type { ServerChild } from '../child.js';
import { type BenchContext, roundOrder, startChild } from '../context.js';
import { load, median } from '../load.js';
import { type Column, type Row, round, show } from '../report.js';
import type { Framework, Variant } from '../spec.js';

/** The bare framework first: every other variant is compared with it, round by round. */
export const OVERHEAD_VARIANTS: Record<Framework, Variant[]> = {
  node: ['bare', 'lameduck', 'lightship'],
  express: ['bare', 'lameduck', 'terminus'],
  koa: ['bare', 'lameduck'],
  hono: ['bare', 'lameduck'],
};

/** Below this, the load generator rather than the server set the pace: CPU per request still holds, req/s does not. */
export const SATURATED_BUSY_RATIO = 0.95;

// The headline is the server's CPU per request (steady when the server is saturated), with its
// spread over rounds; req/s and latency follow.
export const OVERHEAD_COLUMNS: Column[] = [
  { title: 'framework', value: show.text('framework'), text: true },
  { title: 'variant', value: show.text('variantLabel'), text: true },
  { title: 'server CPU µs/req', value: show.number('serverCpuUsPerRequest', 2) },
  { title: 'spread', value: show.spread('serverCpuSpreadRatio') },
  { title: 'CPU vs bare', value: show.percent('cpuPerRequestRatio') },
  { title: 'server CPU busy', value: show.percent('serverCpuBusyRatio') },
  { title: 'req/s', value: show.number('requestsPerSec') },
  { title: 'vs bare', value: show.percent('throughputRatio') },
  { title: 'p50 ms', value: show.number('p50Ms', 2) },
  { title: 'p99 ms', value: show.number('p99Ms', 2) },
];

/** Warnings about rows whose figures mean less than they seem. */
export function overheadWarnings(rows: readonly Row[]): string[] {
  return rows
    .filter(
      (row) => typeof row.serverCpuBusyRatio === 'number' && row.serverCpuBusyRatio < SATURATED_BUSY_RATIO,
    )
    .map(
      (row) =>
        `warning: ${row.framework} ${row.variantLabel}: the server was only ${((row.serverCpuBusyRatio as number) * 100).toFixed(0)}% busy (under ${SATURATED_BUSY_RATIO * 100}%): the load generator set the pace, so its req/s says little; compare CPU per request`,
    );
}

const LABELS: Partial<Record<Variant, string>> = {
  lightship: 'http-terminator + lightship',
  terminus: '@godaddy/terminus',
  'lameduck-attach': 'lameduck attach() only',
  'lameduck-probe': 'lameduck handleProbe() only',
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

function spread(values: readonly number[]): number {
  if (values.length < 2) return 0;
  return (Math.max(...values) - Math.min(...values)) / median(values);
}

/**
 * Per-request overhead: hello-world throughput and latency with keep-alive clients, each
 * framework bare against the same app with lameduck (and its peers), in alternating rounds.
 */
export async function runOverhead(context: BenchContext): Promise<Row[]> {
  const { overhead } = context.settings;
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
    const children = new Map<Variant, ServerChild>();
    const execArgv = context.profileDir
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${context.profileDir}`,
          `--cpu-prof-name=${framework}-VARIANT.cpuprofile`,
        ]
      : [];
    try {
      for (const variant of variants) {
        const args = execArgv.map((arg) => arg.replace('VARIANT', variant));
        children.set(variant, await startChild(context, { framework, variant }, { execArgv: args }));
      }
      const samples = new Map<Variant, Sample[]>(variants.map((variant) => [variant, []]));
      const served = new Map<Variant, number>(variants.map((variant) => [variant, 0]));
      context.log(`overhead ${framework}: warming up ${variants.join(', ')}`);
      for (const variant of variants) {
        const child = children.get(variant)!;
        const warmup = await load(child.url, {
          connections: overhead.connections,
          pipelining: overhead.pipelining,
          amount: overhead.warmupRequests,
          latencies: false,
        });
        served.set(variant, warmup.requests);
      }
      for (let index = 0; index < overhead.rounds; index += 1) {
        for (const variant of roundOrder(variants, index)) {
          const child = children.get(variant)!;
          const before = await child.stats();
          const result = await load(child.url, {
            connections: overhead.connections,
            pipelining: overhead.pipelining,
            ...(overhead.amount === undefined
              ? { durationS: overhead.durationS }
              : { amount: overhead.amount }),
          });
          const after = await child.stats();
          const cpuUs = after.cpuUs - before.cpuUs;
          served.set(variant, served.get(variant)! + result.requests);
          samples.get(variant)!.push({
            requestsPerSec: result.requestsPerSec,
            p50Ms: result.p50Ms,
            p99Ms: result.p99Ms,
            cpuUsPerRequest: cpuUs / Math.max(1, result.requests),
            cpuBusy: cpuUs / 1000 / result.elapsedMs,
            errors: result.errors + result.non2xx,
          });
        }
        context.log(
          `overhead ${framework} round ${index + 1}/${overhead.rounds}: ${variants
            .map((variant) => `${variant} ${Math.round(samples.get(variant)!.at(-1)!.requestsPerSec)} req/s`)
            .join(', ')}`,
        );
      }
      const bare = samples.get('bare')!;
      for (const variant of variants) {
        const own = samples.get(variant)!;
        // Paired by round: each round's ratio compares two runs made seconds apart.
        const ratio = (pick: (sample: Sample) => number) =>
          median(own.map((sample, index) => pick(sample) / pick(bare[index]!)));
        rows.push({
          scenario: 'overhead',
          framework,
          variant,
          variantLabel: LABELS[variant] ?? variant,
          rounds: own.length,
          connections: overhead.connections,
          requestsPerSec: round(median(own.map((sample) => sample.requestsPerSec)), 0),
          p50Ms: round(median(own.map((sample) => sample.p50Ms)), 3),
          p99Ms: round(median(own.map((sample) => sample.p99Ms)), 3),
          pipelining: overhead.pipelining,
          serverCpuUsPerRequest: round(median(own.map((sample) => sample.cpuUsPerRequest)), 2),
          // (max − min) / median over rounds: how far one round's figure can be trusted.
          serverCpuSpreadRatio: round(spread(own.map((sample) => sample.cpuUsPerRequest)), 4),
          serverCpuBusyRatio: round(median(own.map((sample) => sample.cpuBusy)), 3),
          throughputRatio: round(
            ratio((sample) => sample.requestsPerSec),
            4,
          ),
          p99Ratio: round(
            ratio((sample) => sample.p99Ms),
            4,
          ),
          cpuPerRequestRatio: round(
            ratio((sample) => sample.cpuUsPerRequest),
            4,
          ),
          errors: own.reduce((total, sample) => total + sample.errors, 0),
          roundsRequestsPerSec: own.map((sample) => round(sample.requestsPerSec, 0)),
          roundsP99Ms: own.map((sample) => round(sample.p99Ms, 3)),
          roundsServerCpuUsPerRequest: own.map((sample) => round(sample.cpuUsPerRequest, 2)),
          // Warm-up included: what a --cpu-prof profile of this child covers.
          servedRequests: served.get(variant)!,
        });
      }
    } finally {
      for (const child of children.values()) await (context.profileDir ? child.exit() : child.kill());
    }
  }
  return rows;
}
