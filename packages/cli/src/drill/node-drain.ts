import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster } from './cluster.js';
import { type DisruptionBudget, describeBudget } from './disruption-budget.js';
import { EvictionApi } from './eviction.js';
import { type DrainReport, kubectlDrain } from './kubectl-drain.js';
import { LoadGenerator } from './load.js';
import { type ServiceNetwork, userspaceNetwork } from './network.js';
import { Nodes } from './nodes.js';
import { isActive, isReady } from './pod.js';
import { describeExit } from './pod-process.js';
import { type ReadySample, readyWindow } from './ready-endpoints.js';
import { type RequestRecord, type RequestSummary, summarize } from './requests.js';
import { countAvailable } from './rollout.js';
import { abortable, podEnv, type RunOptions } from './run.js';
import { type DrillEvent, Timeline } from './timeline.js';

/** The cluster of the scenario: four nodes; the Deployment's pods start on a, a and b. */
export const NODE_NAMES = ['a', 'b', 'c', 'd'] as const;
export const INITIAL_PLACEMENT = ['a', 'a', 'b'] as const;
/** Drained together, as a node-pool upgrade that replaces two nodes at a time does. */
export const DRAINED_NODES = ['a', 'b'] as const;
/**
 * From a replacement pod's creation to its container's start: scheduling, the pod sandbox and a
 * container start from an image already on the node. A cluster takes seconds here (more when it
 * pulls the image); the drill waits this long.
 */
export const REPLACEMENT_START_DELAY_MS = 3000;

/** The rolling update's run options (the same pods, load and network), less its mode and POST mix. */
export interface NodeDrainOptions extends Omit<RunOptions, 'mode' | 'postShare' | 'idleGapClients'> {
  /** How the run is shown: "no PDB", "PDB maxUnavailable 1". */
  label: string;
  /** Unique among the runs that share this process: pods and the Service are named with it. */
  tag: string;
  budget: DisruptionBudget | undefined;
  startDelayMs: number;
}

export interface NodeDrainResult extends RequestSummary {
  label: string;
  budget: string;
  service: string;
  network: 'kernel' | 'userspace';
  replicas: number;
  /** Where the pods ran before the drain: { a: [pods], b: [pods] }. */
  placement: Record<string, string[]>;
  /** From the start of the drains to the end of the last one (kubectl saw its last pod gone). */
  drainMs: number;
  drains: DrainReport[];
  /** 429s the Eviction API answered, all drains together. */
  evictionsRefused: number;
  /** The fewest ready endpoints kube-proxy had from the start of the drains to the end of the run. */
  fewestReady: number;
  /** How long kube-proxy had no ready endpoint in that time. */
  zeroReadyMs: number;
  notSent: number;
  restarts: number;
  killedAtGracePeriod: number;
  pods: { name: string; node: string; exit?: string }[];
  events: DrillEvent[];
  failures: RequestRecord[];
  records: RequestRecord[];
}

const MAX_FAILURES_LISTED = 200;

/**
 * One node drain under load: the Deployment's pods placed a, a, b; load through the Service;
 * `kubectl drain a` and `kubectl drain b` at once through the Eviction API (and the budget, if
 * any); the ReplicaSet replaces each evicted pod on a node still schedulable, its container
 * starting `startDelayMs` after the pod is created; the run ends once every replacement is
 * available and the Service has settled. Everything is torn down on every path.
 */
export async function runNodeDrain(options: NodeDrainOptions): Promise<NodeDrainResult> {
  const timeline = new Timeline();
  if (options.onEvent) timeline.onEvent(options.onEvent);
  const { spec } = options;
  const network = options.network ?? userspaceNetwork;
  const proxy = await network.service(`${spec.name}-${options.tag}`, () => timeline.now());
  const readiness: ReadySample[] = [];
  const service = trackReady(proxy, (ready) => readiness.push({ atMs: timeline.now(), ready }));
  const nodes = new Nodes(NODE_NAMES, INITIAL_PLACEMENT.slice(0, spec.replicas));
  const cluster = new Cluster({
    spec,
    container: { command: options.command, cwd: options.cwd, env: (pod) => podEnv(spec, pod) },
    proxy: service,
    pods: network.pods,
    timeline,
    lag: options.lag,
    readyTimeoutMs: options.readyTimeoutMs,
    podName: (_version, serial) => `${spec.name}-${options.tag}-${serial}`,
    startDelayMs: options.startDelayMs,
    onPodCreated: (pod) => timeline.record('pod-scheduled', pod, `node ${nodes.place(pod)}`),
  });
  const podOf = (name: string) => cluster.pods.find((pod) => pod.name === name);
  const eviction = new EvictionApi({
    budget: options.budget,
    expected: () => spec.replicas,
    pods: () =>
      cluster.pods
        .filter((pod) => pod.exit === undefined)
        .map((pod) => ({ name: pod.name, healthy: isReady(pod) })),
    remove: (pod) => cluster.deletePod(pod),
  });
  const load = new LoadGenerator({
    host: service.host,
    port: service.port,
    rate: options.rate,
    keepAliveClients: options.keepAliveClients,
    keepAliveShare: options.keepAliveShare,
    path: options.path,
    timeoutMs: options.requestTimeoutMs,
    now: () => timeline.now(),
    lookup: (port, startMs) => proxy.connectionFrom(port, startMs),
  });
  const abort = abortable(options.signal);
  // Ends kubectl's waits when the run stops early.
  const kubectl = new AbortController();
  let drainStartedMs = 0;
  let drains: DrainReport[] = [];
  const placement: Record<string, string[]> = {};
  let endMs = 0;
  try {
    await abort.race(cluster.deploy('v1'));
    for (const node of NODE_NAMES) {
      const pods = nodes.podsOn(node);
      if (pods.length > 0) placement[node] = pods;
    }
    load.start();
    timeline.record('load-started');
    await abort.race(sleep(options.warmupMs));
    drainStartedMs = timeline.now();
    timeline.record('drain-started', undefined, `kubectl drain ${DRAINED_NODES.join(' and ')}, at once`);
    // Both cordoned before either evicts (each kubectl drain cordons again, a no-op): otherwise
    // the first drain's replacements could be scheduled on the node the second is about to drain.
    for (const node of DRAINED_NODES) nodes.cordon(node);
    const target = {
      cordon: (node: string) => nodes.cordon(node),
      podsOn: (node: string) =>
        nodes.podsOn(node).filter((name) => {
          const pod = podOf(name);
          return pod !== undefined && isActive(pod);
        }),
      evict: (pod: string) => eviction.evict(pod),
      isGone: (pod: string) => podOf(pod)?.exit !== undefined,
    };
    drains = await abort.race(
      Promise.all(
        DRAINED_NODES.map((node) =>
          kubectlDrain(node, target, {
            now: () => timeline.now(),
            log: (line) => timeline.record('kubectl', undefined, `${node}: ${line}`),
            signal: kubectl.signal,
          }),
        ),
      ),
    );
    timeline.record('drain-complete');
    await abort.race(
      cluster.waitFor(
        () =>
          countAvailable(
            cluster.pods.filter((pod) => isActive(pod)),
            timeline.now(),
            spec.minReadyMs,
          ) >= spec.replicas,
      ),
    );
    await abort.race(cluster.settled());
    await abort.race(sleep(options.cooldownMs));
    await abort.race(load.stop());
    endMs = timeline.now();
    timeline.record('load-stopped');
    await proxy.flush();
    load.fillIn((port, startMs) => proxy.connectionFrom(port, startMs));
  } finally {
    kubectl.abort();
    abort.dispose();
    cluster.dispose();
    await proxy.close();
    await load.stop();
  }
  const pods = cluster.pods;
  const drainEndMs = Math.max(...drains.map((drain) => drain.endedMs));
  return {
    label: options.label,
    budget: describeBudget(options.budget),
    service: options.service,
    network: network.kind,
    ...summarize(load.records),
    replicas: spec.replicas,
    placement,
    drainMs: Math.round(drainEndMs - drainStartedMs),
    drains: drains.map((drain) => ({
      ...drain,
      startedMs: Math.round(drain.startedMs),
      endedMs: Math.round(drain.endedMs),
    })),
    evictionsRefused: eviction.refused,
    ...(({ fewest, zeroMs }) => ({ fewestReady: fewest, zeroReadyMs: zeroMs }))(
      readyWindow(readiness, drainStartedMs, endMs),
    ),
    notSent: load.skipped,
    restarts: pods.reduce((sum, pod) => sum + pod.restarts, 0),
    killedAtGracePeriod: pods.filter((pod) => pod.killed).length,
    pods: pods.map((pod) => ({
      name: pod.name,
      node: nodes.nodeOf(pod.name) ?? '?',
      ...(pod.exit === undefined || pod.deletedAtMs === undefined ? {} : { exit: describeExit(pod.exit) }),
    })),
    events: timeline.events,
    failures: load.records.filter((record) => record.failure !== undefined).slice(0, MAX_FAILURES_LISTED),
    records: load.records,
  };
}

/** The Service, telling how many ready endpoints each update gave kube-proxy once it is in effect. */
function trackReady(proxy: ServiceNetwork, onReady: (ready: number) => void): ServiceNetwork {
  return {
    get host() {
      return proxy.host;
    },
    get port() {
      return proxy.port;
    },
    async setEndpoints(endpoints) {
      await proxy.setEndpoints(endpoints);
      onReady(endpoints.filter((endpoint) => endpoint.ready).length);
    },
    connectionFrom: (port, startMs) => proxy.connectionFrom(port, startMs),
    flush: () => proxy.flush(),
    close: () => proxy.close(),
  };
}
