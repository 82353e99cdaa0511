import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Endpoint } from './endpoints.js';
import { DrillError } from './errors.js';
import { baseRules, type ServiceRules, syncRules, usableEndpoints } from './iptables-rules.js';
import { createPodNamespace, deleteNamespace, namespacePrefix, POD_CIDR, run, which } from './netns.js';
import type { Network, PodAddress, ServiceNetwork } from './network.js';
import type { ProxiedConnection } from './proxy.js';

/** Where the pods listen in the kernel mode: each has its own address, so all use the same port. */
export const POD_PORT = 8080;
const SERVICE_PORT = 80;

/**
 * The node of `--network kernel`, run from inside its network namespace: kube-proxy (the iptables
 * rules of every Service, written in full at each sync with `iptables-restore --noflush`), the
 * pods' network namespaces, and conntrack's events, which say which pod each new connection to a
 * Service was sent to.
 */
export class KernelNode implements Network {
  readonly kind = 'kernel';
  readonly #prefix: string;
  readonly #services = new Set<KernelService>();
  readonly #pods = new Map<string, { namespace: string; address: string }>();
  #podSerial = 1;
  #serviceSerial = 0;
  #chains = new Set<string>();
  /** Syncs asked for and done: a caller resolves once a sync that started after its call is done. */
  #requested = 0;
  #done = 0;
  #syncing = false;
  readonly #callers: { serial: number; resolve: () => void; reject: (error: unknown) => void }[] = [];
  #closed = false;
  #waiting: Restorer | undefined;
  #conntrack: ChildProcess | undefined;
  #lastEventAt = 0;

  private constructor(node: string) {
    this.#prefix = namespacePrefix(node);
  }

  /** Writes kube-proxy's base chains and starts listening to conntrack; `node` is the namespace we run in. */
  static async start(node: string): Promise<KernelNode> {
    const kernel = new KernelNode(node);
    await run('iptables-restore', ['--noflush'], baseRules());
    kernel.#listen();
    kernel.#waiting = new Restorer();
    return kernel;
  }

  readonly pods = {
    attach: async (pod: string): Promise<PodAddress> => {
      const serial = ++this.#podSerial;
      const address = `${POD_CIDR.prefix}.${serial >> 8}.${serial & 255}`;
      const namespace = `${this.#prefix}pod-${serial}`;
      this.#pods.set(pod, { namespace, address });
      await createPodNamespace(namespace, `ld-v${serial}`, address);
      const ip = which('ip') ?? 'ip';
      // ip netns exec execs the command: the pod's process is the one the kubelet signals.
      return {
        host: address,
        port: POD_PORT,
        command: (command) => [ip, 'netns', 'exec', namespace, ...command],
      };
    },
    detach: async (pod: string): Promise<void> => {
      const entry = this.#pods.get(pod);
      if (!entry) return;
      this.#pods.delete(pod);
      await deleteNamespace(entry.namespace);
    },
  };

  async service(name: string, now: () => number): Promise<ServiceNetwork> {
    this.#serviceSerial += 1;
    const vip = `10.232.${this.#serviceSerial >> 8}.${this.#serviceSerial & 255}`;
    const service = new KernelService(this, `default/${name}:http`, vip, SERVICE_PORT, now);
    this.#services.add(service);
    await this.sync();
    return service;
  }

  /** Removes a Service's rules. */
  async remove(service: KernelService): Promise<void> {
    this.#services.delete(service);
    await this.sync();
  }

  /**
   * One full sync of every Service's rules, as kube-proxy's syncProxyRules. A change that comes
   * during a sync gets another one after it; every caller resolves once its change is in effect.
   */
  sync(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const serial = ++this.#requested;
    const done = new Promise<void>((resolve, reject) => this.#callers.push({ serial, resolve, reject }));
    if (!this.#syncing) void this.#syncLoop();
    return done;
  }

  async #syncLoop(): Promise<void> {
    this.#syncing = true;
    try {
      while (this.#done < this.#requested && !this.#closed) {
        const serial = this.#requested;
        const services = [...this.#services];
        const { rules, chains } = syncRules(
          services.map((service) => service.rules()),
          this.#chains,
        );
        const restorer = this.#waiting ?? new Restorer();
        // The next one starts now, so that its process is ready when the next update comes.
        this.#waiting = new Restorer();
        await restorer.apply(rules);
        this.#chains = chains;
        for (const service of services) service.applied();
        this.#done = serial;
        this.#settle((caller) => caller.serial <= serial, undefined);
      }
    } catch (error) {
      this.#done = this.#requested;
      this.#settle(() => true, error);
    } finally {
      this.#syncing = false;
      // Closed while syncing: nobody waits for rules that no longer matter.
      if (this.#closed) this.#settle(() => true, undefined);
    }
  }

  #settle(which: (caller: { serial: number }) => boolean, error: unknown): void {
    for (const caller of this.#callers.filter(which)) {
      this.#callers.splice(this.#callers.indexOf(caller), 1);
      if (error === undefined) caller.resolve();
      else caller.reject(error);
    }
  }

  /** Resolves once conntrack has been quiet for a moment: every new connection so far is known. */
  async flush(): Promise<void> {
    const quietMs = 150;
    for (let waited = 0; waited < 3000; waited += 50) {
      if (performance.now() - this.#lastEventAt >= quietMs) return;
      await sleep(50);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#conntrack?.kill('SIGKILL');
    this.#waiting?.cancel();
    this.#waiting = undefined;
    if (!this.#syncing) this.#settle(() => true, undefined);
    await Promise.all([...this.#pods.keys()].map((pod) => this.pods.detach(pod)));
  }

  #listen(): void {
    // [NEW] tcp 6 120 SYN_SENT src=10.231.0.1 dst=10.232.0.1 sport=40000 dport=80 [UNREPLIED]
    //   src=10.231.0.5 dst=10.231.0.1 sport=8080 dport=40000
    const conntrack = spawn(which('conntrack') ?? 'conntrack', ['-E', '-e', 'NEW', '-p', 'tcp'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    this.#conntrack = conntrack;
    conntrack.unref();
    conntrack.on('error', () => {});
    if (!conntrack.stdout) return;
    createInterface({ input: conntrack.stdout }).on('line', (line) => {
      this.#lastEventAt = performance.now();
      const match = /src=(\S+) dst=(\S+) sport=(\d+) dport=(\d+) .*?src=(\S+) dst=\S+ sport=(\d+)/.exec(line);
      if (!match) return;
      const [, , vip, clientPort, , podAddress] = match;
      for (const service of this.#services) {
        if (service.host === vip) service.connected(Number(clientPort), podAddress ?? '');
      }
    });
  }
}

/** A Service's virtual IP: kube-proxy's rules for it, and the connections conntrack saw. */
class KernelService implements ServiceNetwork {
  readonly host: string;
  readonly port: number;
  readonly #node: KernelNode;
  readonly #name: string;
  readonly #now: () => number;
  #endpoints: readonly Endpoint[] = [];
  /** Every pod that has been an endpoint, by address. */
  readonly #pods = new Map<string, { pod: string; version: string }>();
  /** The latest connection from each client port: the pod's address. */
  readonly #byClientPort = new Map<number, string>();
  /** When the rules in effect had no endpoint to use: [from, to) on the run's clock. */
  readonly #empty: { fromMs: number; toMs: number }[] = [];
  /** What the Service should have, and what the sync in progress writes. */
  #wanted: readonly Endpoint[] = [];
  #writing: readonly Endpoint[] = [];

  constructor(node: KernelNode, name: string, vip: string, port: number, now: () => number) {
    this.#node = node;
    this.#name = name;
    this.host = vip;
    this.port = port;
    this.#now = now;
    this.#empty.push({ fromMs: 0, toMs: Number.POSITIVE_INFINITY });
  }

  rules(): ServiceRules {
    this.#writing = this.#wanted;
    return {
      name: this.#name,
      vip: this.host,
      port: this.port,
      endpoints: this.#writing.map((endpoint) => ({ ...endpoint, address: endpoint.host })),
    };
  }

  /** The rules written by the last sync are in effect. */
  applied(): void {
    this.#endpoints = this.#writing;
    const nowMs = this.#now();
    const last = this.#empty.at(-1);
    const empty = usableEndpoints(this.#endpoints).length === 0;
    if (empty && (!last || last.toMs !== Number.POSITIVE_INFINITY))
      this.#empty.push({ fromMs: nowMs, toMs: Number.POSITIVE_INFINITY });
    if (!empty && last && last.toMs === Number.POSITIVE_INFINITY) last.toMs = nowMs;
  }

  async setEndpoints(endpoints: readonly Endpoint[]): Promise<void> {
    for (const endpoint of endpoints)
      this.#pods.set(endpoint.host, { pod: endpoint.pod, version: endpoint.version });
    this.#wanted = endpoints;
    await this.#node.sync();
  }

  connected(clientPort: number, podAddress: string): void {
    this.#byClientPort.set(clientPort, podAddress);
  }

  connectionFrom(clientPort: number | undefined, startMs: number): ProxiedConnection | undefined {
    if (clientPort === undefined) {
      // The connection never opened: REJECTed for want of endpoints, or refused by the pod.
      const empty = this.#empty.some((span) => span.fromMs <= startMs && startMs < span.toMs);
      return empty ? { outcome: 'no-endpoint' } : undefined;
    }
    const address = this.#byClientPort.get(clientPort);
    const pod = address === undefined ? undefined : this.#pods.get(address);
    return pod ? { ...pod, outcome: 'open' } : undefined;
  }

  flush(): Promise<void> {
    return this.#node.flush();
  }

  async close(): Promise<void> {
    await this.#node.remove(this);
  }
}

/**
 * An `iptables-restore --noflush` started ahead of time and waiting for its input: an update
 * then costs the parse and the commit, not a process start.
 */
class Restorer {
  readonly #child: ChildProcess;
  readonly #done: Promise<{ code: number | null; stderr: string }>;

  constructor() {
    this.#child = spawn(which('iptables-restore') ?? 'iptables-restore', ['--noflush'], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    this.#child.stderr?.setEncoding('utf8');
    this.#child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
    });
    this.#done = new Promise((resolve) => {
      this.#child.once('error', (error) => resolve({ code: null, stderr: error.message }));
      this.#child.once('close', (code) => resolve({ code, stderr }));
    });
    this.#child.stdin?.on('error', () => {});
    // Waiting for input must not keep the drill alive once it is done.
    this.#child.unref();
  }

  async apply(rules: string): Promise<void> {
    this.#child.stdin?.end(rules);
    const { code, stderr } = await this.#done;
    if (code !== 0)
      throw new DrillError(`iptables-restore failed: ${stderr.trim().split('\n')[0] ?? `exit code ${code}`}`);
  }

  cancel(): void {
    this.#child.stdin?.end();
  }
}
