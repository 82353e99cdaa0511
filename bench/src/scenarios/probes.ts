import type { ServerChild } from '../child.js';
import { type BenchContext, roundOrder, startChild } from '../context.js';
import { load, median } from '../load.js';
import { type Column, type Row, round, show, spread } from '../report.js';
import type { ServerSpec } from '../spec.js';

/** lameduck (1 s readiness cache, single-flight) beside a peer that checks per request and one that pushes state. */
const PROBE_SERVERS: Omit<ServerSpec, 'checkMs'>[] = [
  { framework: 'node', variant: 'lameduck' },
  { framework: 'express', variant: 'lameduck' },
  { framework: 'express', variant: 'lameduck-router' },
  { framework: 'express', variant: 'lameduck-allowlist' },
  { framework: 'express', variant: 'terminus' },
  { framework: 'koa', variant: 'lameduck' },
  { framework: 'koa', variant: 'lameduck-router' },
  { framework: 'koa', variant: 'lameduck-allowlist' },
  { framework: 'node', variant: 'lightship' },
];

const HOW_CHECKS_RUN: Record<string, string> = {
  lameduck: 'single-flight, cached 1 s',
  'lameduck-router': 'single-flight, cached 1 s; probes go through the app',
  'lameduck-allowlist': 'single-flight, cached 1 s; probes go through an allow-list first',
  terminus: 'once per request',
  lightship: 'app polls every 1 s',
};

export const PROBE_COLUMNS: Column[] = [
  { title: 'framework', value: show.text('framework'), text: true },
  { title: 'variant', value: show.text('variant'), text: true },
  { title: 'check runs', value: show.text('checkPolicy'), text: true },
  { title: 'probes/s', value: show.number('requestsPerSec') },
  { title: 'p50 ms', value: show.number('p50Ms', 1) },
  { title: 'p99 ms', value: show.number('p99Ms', 1) },
  { title: 'check ran (per run)', value: show.number('checkRuns') },
  { title: 'check ran /s', value: show.number('checkRunsPerSec', 1) },
  {
    title: 'server CPU µs/probe (min–max)',
    value: spread('serverCpuUsPerRequest', 'roundsServerCpuUsPerRequest', 1),
  },
  { title: 'non-2xx + errors', value: show.number('failures') },
];

interface Sample {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  checkRuns: number;
  checkRunsPerSec: number;
  cpuUsPerRequest: number;
  failures: number;
}

/**
 * Probe storm: 1,000 keep-alive connections asking for readiness back to back, while the one
 * readiness check takes `checkMs`. Counts how often the check really ran during each run.
 */
export async function runProbes(context: BenchContext): Promise<Row[]> {
  const { probes } = context.settings;
  const specs = PROBE_SERVERS.filter((spec) => context.settings.frameworks.includes(spec.framework));
  const children: ServerChild[] = [];
  const rows: Row[] = [];
  try {
    for (const spec of specs) children.push(await startChild(context, { ...spec, checkMs: probes.checkMs }));
    const samples = new Map<ServerChild, Sample[]>(children.map((child) => [child, []]));
    for (let index = 0; index < probes.rounds; index += 1) {
      for (const child of roundOrder(children, index)) {
        const before = await child.stats();
        const result = await load(child.probeUrl, {
          connections: probes.connections,
          ...(probes.amount === undefined ? { durationS: probes.durationS } : { amount: probes.amount }),
        });
        const after = await child.stats();
        const checkRuns = after.checkRuns - before.checkRuns;
        samples.get(child)!.push({
          requestsPerSec: result.requestsPerSec,
          p50Ms: result.p50Ms,
          p99Ms: result.p99Ms,
          checkRuns,
          checkRunsPerSec: checkRuns / (result.elapsedMs / 1000),
          cpuUsPerRequest: (after.cpuUs - before.cpuUs) / Math.max(1, result.requests),
          failures: result.errors + result.non2xx,
        });
        context.log(
          `probes ${child.spec.framework}/${child.spec.variant} round ${index + 1}/${probes.rounds}: ${Math.round(result.requestsPerSec)} probes/s, p99 ${result.p99Ms.toFixed(1)} ms, check ran ${checkRuns} times`,
        );
      }
    }
    for (const child of children) {
      const own = samples.get(child)!;
      const pick = (key: keyof Sample, digits: number) =>
        round(median(own.map((sample) => sample[key])), digits);
      rows.push({
        scenario: 'probes',
        framework: child.spec.framework,
        variant: child.spec.variant,
        checkPolicy: HOW_CHECKS_RUN[child.spec.variant] ?? '',
        rounds: own.length,
        connections: probes.connections,
        checkMs: probes.checkMs,
        requestsPerSec: pick('requestsPerSec', 0),
        p50Ms: pick('p50Ms', 2),
        p99Ms: pick('p99Ms', 2),
        checkRuns: pick('checkRuns', 0),
        checkRunsPerSec: pick('checkRunsPerSec', 2),
        serverCpuUsPerRequest: pick('cpuUsPerRequest', 1),
        failures: own.reduce((total, sample) => total + sample.failures, 0),
        roundsP99Ms: own.map((sample) => round(sample.p99Ms, 2)),
        roundsCheckRuns: own.map((sample) => sample.checkRuns),
        roundsServerCpuUsPerRequest: own.map((sample) => round(sample.cpuUsPerRequest, 1)),
      });
    }
  } finally {
    for (const child of children) await child.kill();
  }
  return rows;
}
