import { describeBudget } from '../drill/disruption-budget.js';
import { DRAIN_RUNS, runDrains } from '../drill/drain-runs.js';
import { formatDrainRuns, formatDrainVerdict } from '../drill/drain-table.js';
import type { Lag } from '../drill/endpoints.js';
import { EVICTION_RETRY_MS } from '../drill/kubectl-drain.js';
import type { Network } from '../drill/network.js';
import {
  DRAINED_NODES,
  INITIAL_PLACEMENT,
  NODE_NAMES,
  REPLACEMENT_START_DELAY_MS,
} from '../drill/node-drain.js';
import type { DrillOptions } from '../drill/options.js';
import { decideParallel } from '../drill/parallel.js';
import type { Service } from '../drill/services.js';
import { describeSpec } from '../drill/table.js';
import type { DrillEvent } from '../drill/timeline.js';
import { EXIT_FINDINGS, EXIT_OK, type Io } from './command.js';

export interface DrainRunSettings {
  warmupMs: number;
  cooldownMs: number;
  requestTimeoutMs: number;
  keepAliveShare: number;
  lag: Lag;
}

/**
 * `lameduck drill --scenario node-drain`: the service under test, twice side by side — without a
 * PodDisruptionBudget and with `maxUnavailable: 1` — through two `kubectl drain`s at once.
 * Exit 1 when the run with the budget failed a request (that one is the service's to pass).
 */
export async function drillNodeDrain(
  service: Service,
  options: DrillOptions,
  settings: DrainRunSettings,
  io: Io,
  signal: AbortSignal,
  network: Network,
): Promise<number> {
  const { spec } = service;
  if (!options.json) io.stdout(`${header(service, options, network).join('\n')}\n\n`);
  const atOnce = decideParallel(options.parallel, DRAIN_RUNS.length);
  io.stderr(
    atOnce.parallel
      ? `lameduck drill: ${DRAIN_RUNS.length} runs at once (${atOnce.why}): ${DRAIN_RUNS.map((run) => run.label).join(', ')}…\n`
      : `lameduck drill: one run after another: ${atOnce.why}\n`,
  );
  const onEvent = (label: string) => (event: DrillEvent) =>
    io.stderr(
      `  ${(event.atMs / 1000).toFixed(3).padStart(8)} s  ${label}: ${event.kind}${event.pod ? ` ${event.pod}` : ''}${event.detail ? `: ${event.detail}` : ''}\n`,
    );
  const runs = await runDrains(
    {
      service: service.label,
      spec,
      command: service.command,
      cwd: service.cwd,
      network,
      rate: options.rate,
      keepAliveClients: options.keepAliveClients,
      keepAliveShare: settings.keepAliveShare,
      path: options.path,
      requestTimeoutMs: settings.requestTimeoutMs,
      lag: settings.lag,
      readyTimeoutMs: options.readyTimeoutMs,
      warmupMs: settings.warmupMs,
      cooldownMs: settings.cooldownMs,
      startDelayMs: REPLACEMENT_START_DELAY_MS,
    },
    atOnce.parallel,
    signal,
    (label, index) =>
      io.stderr(`lameduck drill: run ${index + 1}/${DRAIN_RUNS.length}: ${label} (${service.label})…\n`),
    options.verbose ? onEvent : undefined,
  );
  if (options.json) {
    const common = {
      scenario: 'node-drain',
      manifest: spec.file,
      deployment: spec.name,
      replicas: spec.replicas,
      nodes: [...NODE_NAMES],
      drained: [...DRAINED_NODES],
      replacementStartDelayMs: REPLACEMENT_START_DELAY_MS,
      evictionRetryMs: EVICTION_RETRY_MS,
      rate: options.rate,
      keepAliveClients: options.keepAliveClients,
      lagMs: [options.lagMinMs, options.lagMaxMs],
      parallel: atOnce.parallel,
      network: network.kind,
    };
    const json = runs.map(({ records: _records, events: _events, ...run }) => ({ ...run, settings: common }));
    io.stdout(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    io.stdout(`${formatDrainRuns(runs)}\n\n${runs.map(formatDrainVerdict).join('\n')}\n`);
  }
  const guarded = runs.find((run) => run.budget !== describeBudget(undefined));
  return guarded && guarded.failed > 0 ? EXIT_FINDINGS : EXIT_OK;
}

function header(service: Service, options: DrillOptions, network: Network): string[] {
  const { spec } = service;
  const lag =
    options.lagMinMs === options.lagMaxMs
      ? `${options.lagMinMs} ms`
      : `${options.lagMinMs}–${options.lagMaxMs} ms, drawn for each update`;
  return [
    `lameduck drill: a simulated node drain under load (real processes, no cluster)`,
    network.kind === 'kernel'
      ? "network: kernel — each pod in its own network namespace, the Service a virtual IP with kube-proxy's iptables rules"
      : 'network: userspace — pods on 127.0.0.1, the Service a TCP proxy standing in for kube-proxy',
    ...describeSpec(spec).map((line, index) => `${index === 0 ? 'manifest: ' : '  '}${line}`),
    `nodes: ${NODE_NAMES.join(', ')}; the ${spec.replicas} pods start on ${INITIAL_PLACEMENT.slice(0, spec.replicas).join(', ')}${spec.replicas > INITIAL_PLACEMENT.length ? ' and spread over the rest' : ''}`,
    `drain: kubectl drain ${DRAINED_NODES.join(' and ')} at once — cordon, evict every pod of the node at once through the Eviction API, after a 429 ask again ${EVICTION_RETRY_MS / 1000} s later`,
    `replacements: created by the ReplicaSet on a schedulable node, their container started ${REPLACEMENT_START_DELAY_MS / 1000} s later (scheduling, sandbox, container start)`,
    `runs: ${DRAIN_RUNS.map((run) => (run.budget === undefined ? 'no PodDisruptionBudget' : `a PodDisruptionBudget with ${describeBudget(run.budget).replace(/^PDB /, '')}`)).join(' beside ')}; both run ${service.label}`,
    `load: ${options.rate} requests/s to GET ${options.path} per run${options.keepAliveClients > 0 ? `, half from ${options.keepAliveClients} keep-alive clients` : ''}, the rest on a new connection each; no retries`,
    `endpoint propagation lag: ${lag}`,
  ];
}
