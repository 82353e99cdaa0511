import { ENVIRONMENT } from '@lameduck/core';
import { alignColumns } from './columns.js';
import { MODE_LABELS } from './modes.js';
import { ingressRows, ingressVerdict } from './nginx-table.js';
import { FAILURE_KINDS } from './requests.js';
import type { RunResult } from './run.js';
import type { DrillSpec, ProbeSpec } from './spec.js';

/** A table with one column per run: the numbers of runs side by side. */
export function formatRuns(runs: readonly RunResult[]): string {
  const rows: [string, ...string[]][] = [];
  const row = (label: string, value: (run: RunResult) => string) => rows.push([label, ...runs.map(value)]);
  row('', (run) => MODE_LABELS[run.mode]);
  row('service', (run) => run.service);
  row('requests', (run) => String(run.requests));
  row('failed', (run) => String(run.failed));
  for (const kind of FAILURE_KINDS) {
    if (runs.some((run) => run.failedByKind[kind] > 0))
      row(`  ${kind}`, (run) => String(run.failedByKind[kind]));
  }
  for (const [label, value] of ingressRows(runs)) row(label, value);
  row('latency p50', (run) => `${run.latencyMs.p50} ms`);
  row('latency p99', (run) => `${run.latencyMs.p99} ms`);
  row('duration', (run) => seconds(run.durationMs));
  row('rollout', (run) => seconds(run.rolloutMs));
  row('rate', (run) => `${run.ratePerSecond}/s`);
  if (runs.some((run) => run.notSent > 0))
    row('not sent (the load fell behind)', (run) => String(run.notSent));
  row('pods replaced', (run) => String(run.podsReplaced));
  row('answered v1 / v2', (run) => `${run.answeredBy.v1 ?? 0} / ${run.answeredBy.v2 ?? 0}`);
  row('old pods exited', (run) => exits(run));
  if (runs.some((run) => run.restarts > 0)) row('restarts', (run) => String(run.restarts));
  if (runs.some((run) => run.killedAtGracePeriod > 0))
    row('SIGKILLed at grace', (run) => String(run.killedAtGracePeriod));
  return alignColumns(rows).join('\n');
}

/** "3 × exit code 0", "2 × exit code 0, 1 × signal SIGKILL". */
function exits(run: RunResult): string {
  const counts = new Map<string, number>();
  for (const pod of run.pods) if (pod.exit) counts.set(pod.exit, (counts.get(pod.exit) ?? 0) + 1);
  return [...counts].map(([exit, count]) => `${count} × ${exit}`).join(', ') || 'none';
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** One line per run: the verdict. */
export function formatVerdict(run: RunResult): string {
  const mode = MODE_LABELS[run.mode];
  if (run.failed === 0) return `${mode}: 0 of ${run.requests} requests failed${ingressVerdict(run)}`;
  const kinds = FAILURE_KINDS.filter((kind) => run.failedByKind[kind] > 0)
    .map((kind) => `${run.failedByKind[kind]} ${kind}`)
    .join(', ');
  return `${mode}: ${run.failed} of ${run.requests} requests failed (${kinds})${ingressVerdict(run)}`;
}

/** What the drill read from the manifest, in a few lines. */
export function describeSpec(spec: DrillSpec): string[] {
  const probes = (['startup', 'readiness', 'liveness'] as const)
    .map((kind) => {
      const probe = spec.probes[kind];
      return probe ? `${kind} ${describeProbe(probe)}` : `no ${kind} probe`;
    })
    .join('; ');
  const preStop =
    spec.preStop.type === 'none'
      ? 'no preStop'
      : spec.preStop.type === 'sleep'
        ? `preStop ${spec.preStop.how === 'sleep' ? 'sleep' : 'exec sleep'} ${spec.preStop.ms / 1000} s`
        : `preStop GET ${spec.preStop.path}`;
  const env = [ENVIRONMENT.drainDelayMs.variable, ENVIRONMENT.drainTimeoutMs.variable]
    .map((name) => `${name} ${spec.env[name] ?? 'unset'}`)
    .join(', ');
  return [
    `Deployment/${spec.name} (${spec.file}), container ${spec.container}`,
    `${spec.replicas} replicas, ${spec.strategy === 'Recreate' ? 'strategy Recreate' : `maxSurge ${spec.maxSurge}, maxUnavailable ${spec.maxUnavailable}`}` +
      `${spec.minReadyMs > 0 ? `, minReadySeconds ${spec.minReadyMs / 1000}` : ''}; ${preStop}; ` +
      `terminationGracePeriodSeconds ${spec.gracePeriodMs / 1000}; ${env}`,
    probes,
  ];
}

function describeProbe(probe: ProbeSpec): string {
  const target = probe.action.type === 'httpGet' ? probe.action.path : 'tcp';
  const extras = [
    probe.initialDelayMs > 0 ? `after ${probe.initialDelayMs / 1000} s` : '',
    `timeout ${probe.timeoutMs / 1000} s`,
    `failure ${probe.failureThreshold}`,
    probe.successThreshold > 1 ? `success ${probe.successThreshold}` : '',
  ].filter(Boolean);
  return `${target} every ${probe.periodMs / 1000} s (${extras.join(', ')})`;
}
