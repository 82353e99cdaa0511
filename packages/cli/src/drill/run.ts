import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster } from './cluster.js';
import type { Lag } from './endpoints.js';
import { DrillError } from './errors.js';
import { LoadGenerator } from './load.js';
import type { Mode } from './modes.js';
import { type Network, userspaceNetwork } from './network.js';
import { NginxIngress } from './nginx-ingress.js';
import type { IngressSummary } from './nginx-log.js';
import type { PodState } from './pod.js';
import { describeExit } from './pod-process.js';
import { type RequestRecord, type RequestSummary, summarize } from './requests.js';
import type { DrillSpec } from './spec.js';
import { type DrillEvent, Timeline } from './timeline.js';
import { allOrFirstError } from './together.js';

export type { Mode } from './modes.js';

export interface RunOptions {
  mode: Mode;
  /** What runs in the pods, for people: "express-demo", "naive-server.mjs". */
  service: string;
  spec: DrillSpec;
  command: readonly string[];
  cwd: string;
  /** Where pods and the Service live (default: loopback and a user-space proxy). */
  network?: Network;
  rate: number;
  keepAliveClients: number;
  keepAliveShare: number;
  path: string;
  requestTimeoutMs: number;
  /** The share of POSTs, and the keep-alive clients with idle gaps (load.ts); default none. */
  postShare?: number;
  idleGapClients?: number;
  lag: Lag;
  readyTimeoutMs: number;
  /** Load before the rollout starts, and after the Service has settled on the new pods. */
  warmupMs: number;
  cooldownMs: number;
  /** Aborts the run (Ctrl-C): every pod is killed and the run rejects with an AbortError. */
  signal?: AbortSignal;
  onEvent?: (event: DrillEvent) => void;
}

export interface PodSummary {
  name: string;
  version: string;
  port: number;
  restarts: number;
  /** "exit code 0", "signal SIGKILL"; absent for pods still running when the run ended. */
  exit?: string;
  killedAtGracePeriod: boolean;
}

export interface RunResult extends RequestSummary {
  mode: Mode;
  service: string;
  /** kernel: network namespaces and iptables; userspace: 127.0.0.1 and a TCP proxy. */
  network: 'kernel' | 'userspace';
  /** Old pods deleted and replaced by ready new ones. */
  podsReplaced: number;
  /** Container restarts (liveness or startup failures, crashes). */
  restarts: number;
  /** Requests the load did not start: too many in flight, or due during a stall of the drill (the rate was not met). */
  notSent: number;
  /** Pods SIGKILLed at the end of their grace period. */
  killedAtGracePeriod: number;
  /** From the start of the rollout to the last old pod gone and every new pod available. */
  rolloutMs: number;
  pods: PodSummary[];
  events: DrillEvent[];
  /** The failed requests (the first 200), to see when and where each one failed. */
  failures: RequestRecord[];
  /** Every request (for the report); left out of --json. */
  records: RequestRecord[];
  /** Behind --ingress nginx: what nginx's log says it retried (masked) and failed, by cause. */
  ingress?: IngressSummary;
}

const MAX_FAILURES_LISTED = 200;

/** Base variables passed through to pods; everything else comes from the manifest. */
const PASSED_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'TEMP', 'TMP', 'LANG', 'LC_ALL', 'TZ', 'SYSTEMROOT'];

/** The environment of one container: the manifest's env, then what the kubelet and the drill set. */
export function podEnv(
  spec: DrillSpec,
  pod: { name: string; version: string; host?: string; port: number },
  base: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of PASSED_THROUGH) {
    const value = base[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    ...env,
    // Every pod has these; lameduck reads KUBERNETES_SERVICE_HOST to know it runs in a cluster.
    KUBERNETES_SERVICE_HOST: '127.0.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    HOSTNAME: pod.name,
    ...spec.env,
    // All pods share one host here, so each gets its own port in place of the container port.
    PORT: String(pod.port),
    VERSION: pod.version,
  };
}

/**
 * One rollout under load: deploy v1 and wait for it to be ready, start the load, roll out v2,
 * wait for the Service to settle on the new pods, stop the load, and tear everything down —
 * on every path, including errors and aborts.
 */
export async function runDrill(options: RunOptions): Promise<RunResult> {
  const timeline = new Timeline();
  if (options.onEvent) timeline.onEvent(options.onEvent);
  const network = options.network ?? userspaceNetwork;
  const proxy = await network.service(`${options.spec.name}-${options.mode}`, () => timeline.now());
  const cluster = new Cluster({
    spec: options.spec,
    container: {
      command: options.command,
      cwd: options.cwd,
      env: (pod) => podEnv(options.spec, pod),
    },
    proxy,
    pods: network.pods,
    timeline,
    lag: options.lag,
    readyTimeoutMs: options.readyTimeoutMs,
  });
  const load = new LoadGenerator({
    host: proxy.host,
    port: proxy.port,
    rate: options.rate,
    keepAliveClients: options.keepAliveClients,
    keepAliveShare: options.keepAliveShare,
    path: options.path,
    timeoutMs: options.requestTimeoutMs,
    ...(options.postShare === undefined ? {} : { postShare: options.postShare }),
    ...(options.idleGapClients === undefined ? {} : { idleGapClients: options.idleGapClients }),
    now: () => timeline.now(),
    lookup: (port, startMs) => proxy.connectionFrom(port, startMs),
  });
  const abort = abortable(options.signal);
  let rolloutStartedMs = 0;
  let rolloutMs = 0;
  let ingress: IngressSummary | undefined;
  try {
    await abort.race(cluster.deploy('v1'));
    load.start();
    timeline.record('load-started');
    await abort.race(sleep(options.warmupMs));
    rolloutStartedMs = timeline.now();
    timeline.record('rollout-started', undefined, 'v1 → v2');
    await abort.race(cluster.rollout('v2'));
    rolloutMs = Math.round(timeline.now() - rolloutStartedMs);
    timeline.record('rollout-complete');
    await abort.race(cluster.settled());
    await abort.race(sleep(options.cooldownMs));
    await abort.race(load.stop());
    timeline.record('load-stopped');
    await proxy.flush();
    load.fillIn((port, startMs) => proxy.connectionFrom(port, startMs));
    if (proxy instanceof NginxIngress) ingress = await proxy.attribute(load.records);
  } finally {
    abort.dispose();
    cluster.dispose();
    await proxy.close();
    await load.stop();
  }
  const pods = cluster.pods;
  return {
    mode: options.mode,
    service: options.service,
    network: network.kind,
    ...summarize(load.records),
    podsReplaced: pods.filter((pod) => pod.version === 'v1' && pod.deletedAtMs !== undefined).length,
    notSent: load.skipped,
    restarts: pods.reduce((sum, pod) => sum + pod.restarts, 0),
    killedAtGracePeriod: pods.filter((pod) => pod.killed).length,
    rolloutMs,
    pods: pods.map(podSummary),
    events: timeline.events,
    failures: load.records.filter((record) => record.failure !== undefined).slice(0, MAX_FAILURES_LISTED),
    records: load.records,
    ...(ingress ? { ingress } : {}),
  };
}

function podSummary(pod: PodState): PodSummary {
  return {
    name: pod.name,
    version: pod.version,
    port: pod.port,
    restarts: pod.restarts,
    ...(pod.exit === undefined || pod.deletedAtMs === undefined ? {} : { exit: describeExit(pod.exit) }),
    killedAtGracePeriod: pod.killed,
  };
}

export class AbortError extends DrillError {
  override name = 'AbortError';
}

/** Races steps against an abort signal, so that Ctrl-C ends whatever the run is waiting for. */
export function abortable(signal: AbortSignal | undefined) {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new AbortError('interrupted'));
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {});
  return {
    race<T>(step: Promise<T>): Promise<T> {
      return Promise.race([step, aborted]);
    },
    dispose() {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * Every run at once, as Deployments side by side on one node: each has its own pods, Service and
 * load. The first one that fails stops the others.
 */
export function runTogether(runs: RunOptions[], signal: AbortSignal): Promise<RunResult[]> {
  return allOrFirstError(runs, (run, stop) => runDrill({ ...run, signal: stop }), signal);
}
