import { EndpointPropagation, endpointsOf, type Lag } from './endpoints.js';
import { DrillError } from './errors.js';
import { Kubelet } from './kubelet.js';
import type { PodNetwork, ServiceNetwork } from './network.js';
import { isActive, isReady, type PodState } from './pod.js';
import { countAvailable, recreateStep, replicaSetStep, rollingUpdateStep, type Scale } from './rollout.js';
import type { DrillSpec } from './spec.js';
import type { Timeline } from './timeline.js';

/** How to start a container of one version: the command, its directory and its environment. */
export interface Container {
  command: readonly string[];
  cwd: string;
  env: (pod: { name: string; version: string; host: string; port: number }) => Record<string, string>;
}

export interface ClusterOptions {
  spec: DrillSpec;
  container: Container;
  /** The Service: kube-proxy's rules, or the user-space proxy. */
  proxy: ServiceNetwork;
  /** Where pods get their addresses. */
  pods: PodNetwork;
  timeline: Timeline;
  /** The endpoint propagation lag to kube-proxy. */
  lag: Lag;
  /** A pod that is not ready this long after it was created stops the drill. */
  readyTimeoutMs: number;
  /** The pod's name (default `<deployment>-<version>-<serial>`): unique per run when runs share a node. */
  podName?: (version: string, serial: number) => string;
  /**
   * A pod created once the steady state is up starts its container this much later: the
   * scheduling, sandbox and container start a new pod takes in a cluster (default 0).
   */
  startDelayMs?: number;
  /** A pod was created (before its container starts): where it is placed, for node drains. */
  onPodCreated?: (pod: string) => void;
}

/** Numbers each Cluster of this process, for the keys its pods have on the shared node. */
let clusters = 0;

/** How often the controllers look again even when nothing told them to (minReadySeconds). */
const RESYNC_MS = 100;

/**
 * One Deployment and everything around it: its ReplicaSets (one per version), a kubelet per pod,
 * the endpoint controller and the propagation of its updates to the Service proxy. The
 * Deployment controller (rollout.ts) decides the ReplicaSets' sizes; the ReplicaSet controller
 * creates and deletes pods to match.
 */
export class Cluster {
  readonly #options: ClusterOptions;
  /**
   * Runs side by side share one node (its network namespaces) and name their pods alike
   * (`web-v1-1` in each): the node knows each pod by this Cluster's number and its name, so that
   * one run's delete never removes another run's pod.
   */
  readonly #networkKey = `${++clusters}/`;
  readonly #kubelets = new Map<string, Kubelet>();
  readonly #desired = new Map<string, number>();
  readonly #serial = new Map<string, number>();
  readonly #propagation: EndpointPropagation;
  readonly #readyTimers = new Set<NodeJS.Timeout>();
  #newVersion = '';
  #oldVersion: string | undefined;
  #syncing = false;
  #dirty = false;
  #resync: NodeJS.Timeout | undefined;
  #fatal: DrillError | undefined;
  readonly #waiters = new Set<() => void>();
  readonly #failure: Promise<never>;
  #fail!: (error: DrillError) => void;
  #disposed = false;
  /** The steady state before the drill is set up without lag: nothing is measured yet. */
  #lagging = false;
  /** Endpoint updates delivered and not yet in effect. */
  #applying = 0;

  constructor(options: ClusterOptions) {
    this.#options = options;
    this.#failure = new Promise<never>((_, reject) => {
      this.#fail = reject;
    });
    // Rejections are handled by whoever is waiting; an unobserved one must not crash the drill.
    this.#failure.catch(() => {});
    this.#propagation = new EndpointPropagation({
      lag: () => (this.#lagging ? options.lag() : 0),
      deliver: (endpoints) => {
        // In the kernel mode this is an iptables-restore: the update is in effect once it is done.
        this.#applying += 1;
        Promise.resolve(options.proxy.setEndpoints(endpoints)).then(
          () => {
            this.#applying -= 1;
            if (this.#disposed) return;
            options.timeline.record('endpoints-applied', undefined, describeEndpoints(endpoints));
            this.#changed();
          },
          (error: unknown) => {
            this.#applying -= 1;
            this.#stop(error instanceof DrillError ? error : new DrillError(String(error)));
          },
        );
      },
    });
  }

  get pods(): PodState[] {
    return [...this.#kubelets.values()].map((kubelet) => kubelet.pod);
  }

  /**
   * The steady state before the drill: `replicas` pods of `version`, all ready, and the proxy
   * already sending them traffic (no lag: nothing is measured yet).
   */
  async deploy(version: string): Promise<void> {
    this.#newVersion = version;
    this.#desired.set(version, this.#options.spec.replicas);
    this.#changed();
    await this.#until(
      () => this.#podsOf(version).filter((pod) => isReady(pod)).length >= this.#options.spec.replicas,
    );
    await this.settled();
    this.#lagging = true;
  }

  /** Rolls the Deployment over to `version`; resolves once no pod of the old version is left. */
  async rollout(version: string): Promise<void> {
    this.#oldVersion = this.#newVersion;
    this.#newVersion = version;
    this.#desired.set(version, 0);
    this.#resync = setInterval(() => this.#changed(), RESYNC_MS);
    this.#changed();
    const { replicas, minReadyMs } = this.#options.spec;
    await this.#until(() => {
      const old = this.#oldVersion === undefined ? [] : this.#podsOf(this.#oldVersion);
      return (
        old.every((pod) => pod.exit !== undefined) &&
        countAvailable(this.#podsOf(version), this.#options.timeline.now(), minReadyMs) >= replicas
      );
    });
    clearInterval(this.#resync);
  }

  /**
   * Resolves once `condition` holds, looked at on every change and every 100 ms; rejects when
   * the drill stops (a pod that cannot run).
   */
  async waitFor(condition: () => boolean): Promise<void> {
    const resync = setInterval(() => this.#changed(), RESYNC_MS);
    try {
      await this.#until(condition);
    } finally {
      clearInterval(resync);
    }
  }

  /** Resolves once the proxy sees exactly the endpoints the controller last published. */
  async settled(): Promise<void> {
    await this.#until(() => this.#propagation.pending === 0 && this.#applying === 0);
  }

  /**
   * Deletes one pod from outside the controllers (an eviction): its graceful termination starts,
   * and its ReplicaSet, one pod short, creates a replacement. False when there is no such active pod.
   */
  deletePod(name: string): boolean {
    const kubelet = this.#kubelets.get(name);
    if (!kubelet || !isActive(kubelet.pod) || this.#disposed) return false;
    void kubelet.delete().then(() => this.#options.pods.detach(this.#networkKey + name));
    return true;
  }

  /** Ends every pod at once and stops every timer. */
  dispose(): void {
    this.#disposed = true;
    clearInterval(this.#resync);
    for (const timer of this.#readyTimers) clearTimeout(timer);
    this.#propagation.dispose();
    for (const kubelet of this.#kubelets.values()) kubelet.dispose();
    for (const name of this.#kubelets.keys()) void this.#options.pods.detach(this.#networkKey + name);
  }

  #podsOf(version: string): PodState[] {
    return this.pods.filter((pod) => pod.version === version);
  }

  #until(condition: () => boolean): Promise<void> {
    const reached = new Promise<void>((resolve) => {
      const check = () => {
        if (!condition()) return;
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
      check();
    });
    return Promise.race([reached, this.#failure]);
  }

  #changed(): void {
    if (this.#disposed) return;
    this.#propagation.publish(endpointsOf(this.pods));
    for (const waiter of [...this.#waiters]) waiter();
    void this.#sync();
  }

  /** The controllers' sync loop: one at a time; a change during a sync runs another. */
  async #sync(): Promise<void> {
    if (this.#syncing) {
      this.#dirty = true;
      return;
    }
    this.#syncing = true;
    try {
      do {
        this.#dirty = false;
        this.#deploymentSync();
        await this.#replicaSetSync();
      } while (this.#dirty && !this.#disposed);
    } catch (error) {
      this.#stop(error instanceof DrillError ? error : new DrillError(String(error)));
    } finally {
      this.#syncing = false;
    }
  }

  #deploymentSync(): void {
    const old = this.#oldVersion;
    if (old === undefined) return;
    const { spec, timeline } = this.#options;
    const now = timeline.now();
    const newPods = this.#podsOf(this.#newVersion);
    const oldPods = this.#podsOf(old);
    const state = {
      replicas: spec.replicas,
      maxSurge: spec.maxSurge,
      maxUnavailable: spec.maxUnavailable,
      newDesired: this.#desired.get(this.#newVersion) ?? 0,
      newAvailable: countAvailable(newPods, now, spec.minReadyMs),
      oldDesired: this.#desired.get(old) ?? 0,
      oldAvailable: countAvailable(oldPods, now, spec.minReadyMs),
    };
    const scale: Scale =
      spec.strategy === 'Recreate'
        ? recreateStep({ ...state, oldPodsLeft: oldPods.filter((pod) => pod.exit === undefined).length })
        : rollingUpdateStep(state);
    this.#desired.set(this.#newVersion, scale.newDesired);
    this.#desired.set(old, scale.oldDesired);
  }

  async #replicaSetSync(): Promise<void> {
    for (const [version, desired] of this.#desired) {
      const { create, remove } = replicaSetStep(desired, this.#podsOf(version));
      for (const pod of remove) {
        // The pod's sandbox (its network namespace) goes once its container has exited.
        void this.#kubelets
          .get(pod.name)
          ?.delete()
          .then(() => this.#options.pods.detach(this.#networkKey + pod.name));
      }
      for (let index = 0; index < create; index += 1) await this.#createPod(version);
    }
  }

  async #createPod(version: string): Promise<void> {
    const { spec, container, timeline, readyTimeoutMs } = this.#options;
    const serial = (this.#serial.get(version) ?? 0) + 1;
    this.#serial.set(version, serial);
    const name = this.#options.podName?.(version, serial) ?? `${spec.name}-${version}-${serial}`;
    const address = await this.#options.pods.attach(this.#networkKey + name);
    if (this.#disposed) {
      await this.#options.pods.detach(this.#networkKey + name);
      return;
    }
    const { host, port } = address;
    const kubelet = new Kubelet({
      spec,
      name,
      version,
      host,
      port,
      command: address.command(container.command),
      cwd: container.cwd,
      env: container.env({ name, version, host, port }),
      timeline,
      onChange: () => this.#changed(),
      onFatal: (error) => this.#stop(error),
    });
    this.#kubelets.set(name, kubelet);
    this.#options.onPodCreated?.(name);
    const delayMs = this.#lagging ? (this.#options.startDelayMs ?? 0) : 0;
    if (delayMs === 0) kubelet.start();
    else {
      const start = setTimeout(() => {
        this.#readyTimers.delete(start);
        if (!this.#disposed && isActive(kubelet.pod)) kubelet.start();
      }, delayMs);
      this.#readyTimers.add(start);
    }
    const timer = setTimeout(() => {
      this.#readyTimers.delete(timer);
      const pod = kubelet.pod;
      if (pod.everReady || !isActive(pod)) return;
      const last = kubelet.lastProbe;
      this.#stop(
        new DrillError(
          `pod ${name} did not become ready within ${readyTimeoutMs / 1000} s` +
            `${last ? ` (last probe: ${last})` : ''}; see --ready-timeout`,
          kubelet.output,
        ),
      );
    }, readyTimeoutMs);
    this.#readyTimers.add(timer);
  }

  #stop(error: DrillError): void {
    if (this.#fatal) return;
    this.#fatal = error;
    this.#fail(error);
  }
}

function describeEndpoints(endpoints: readonly { pod: string; ready: boolean }[]): string {
  const ready = endpoints.filter((endpoint) => endpoint.ready).map((endpoint) => endpoint.pod);
  return `ready: ${ready.join(', ') || 'none'}`;
}
