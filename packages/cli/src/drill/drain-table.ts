import { alignColumns } from './columns.js';
import type { NodeDrainResult } from './node-drain.js';
import { FAILURE_KINDS } from './requests.js';

/** The node-drain runs side by side, one column each. */
export function formatDrainRuns(runs: readonly NodeDrainResult[]): string {
  const rows: [string, ...string[]][] = [];
  const row = (label: string, value: (run: NodeDrainResult) => string) =>
    rows.push([label, ...runs.map(value)]);
  row('', (run) => run.label);
  row('service', (run) => run.service);
  row('placement', (run) => placement(run));
  row('requests', (run) => String(run.requests));
  row('failed', (run) => String(run.failed));
  for (const kind of FAILURE_KINDS) {
    if (runs.some((run) => run.failedByKind[kind] > 0))
      row(`  ${kind}`, (run) => String(run.failedByKind[kind]));
  }
  row('fewest ready endpoints', (run) => `${run.fewestReady} of ${run.replicas}`);
  row('time at 0 ready', (run) => seconds(run.zeroReadyMs));
  row('drain (a and b at once)', (run) => seconds(run.drainMs));
  row('evictions refused (429)', (run) => String(run.evictionsRefused));
  row('latency p50', (run) => `${run.latencyMs.p50} ms`);
  row('latency p99', (run) => `${run.latencyMs.p99} ms`);
  row('rate', (run) => `${run.ratePerSecond}/s`);
  if (runs.some((run) => run.notSent > 0))
    row('not sent (the load fell behind)', (run) => String(run.notSent));
  row('pods replaced', (run) => String(run.pods.filter((pod) => pod.exit !== undefined).length));
  if (runs.some((run) => run.restarts > 0)) row('restarts', (run) => String(run.restarts));
  if (runs.some((run) => run.killedAtGracePeriod > 0))
    row('SIGKILLed at grace', (run) => String(run.killedAtGracePeriod));
  return alignColumns(rows).join('\n');
}

/** One line per run. */
export function formatDrainVerdict(run: NodeDrainResult): string {
  const kinds = FAILURE_KINDS.filter((kind) => run.failedByKind[kind] > 0)
    .map((kind) => `${run.failedByKind[kind]} ${kind}`)
    .join(', ');
  const ready =
    run.zeroReadyMs > 0
      ? `0 ready endpoints for ${seconds(run.zeroReadyMs)}`
      : `never fewer than ${run.fewestReady} ready endpoint${run.fewestReady === 1 ? '' : 's'}`;
  return `${run.label}: ${run.failed} of ${run.requests} requests failed${kinds ? ` (${kinds})` : ''}; ${ready}; drain ${seconds(run.drainMs)}`;
}

/** "a: 2, b: 1". */
function placement(run: NodeDrainResult): string {
  return Object.entries(run.placement)
    .map(([node, pods]) => `${node}: ${pods.length}`)
    .join(', ');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
