import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Endpoint } from './endpoints.js';
import { DrillError } from './errors.js';
import { backendsBody, IngressSync } from './ingress-sync.js';
import { which } from './netns.js';
import type { Network, ServiceNetwork } from './network.js';
import { INGRESS_NGINX_DEFAULTS, nginxConfig } from './nginx-config.js';
import { type IngressRequest, type IngressSummary, readIngressLogs, summarizeIngress } from './nginx-log.js';
import { freePort } from './ports.js';
import type { ProxiedConnection } from './proxy.js';
import type { RequestRecord } from './requests.js';

/** Debian's nginx and its Lua module (scripts/ensure-drill-tools.sh nginx installs both). */
export const NGINX_MODULES_DIR = '/usr/share/nginx/modules';
const INSTALL = 'scripts/ensure-drill-tools.sh nginx, or apt-get install nginx libnginx-mod-http-lua';
const START_TIMEOUT_MS = 10_000;

/** Why `--ingress nginx` cannot run here, or undefined when it can. */
export function nginxMissing(): string | undefined {
  if (!which('nginx')) return `needs nginx (${INSTALL})`;
  for (const module of ['ndk_http_module.so', 'ngx_http_lua_module.so'])
    if (!existsSync(join(NGINX_MODULES_DIR, module)))
      return `needs nginx's Lua module, ${join(NGINX_MODULES_DIR, module)} is missing (${INSTALL})`;
  return undefined;
}

/** nginx's prefix directories: `lameduck-drill-nginx-<pid of the drill>-XXXXXX` in the temp directory. */
const DIR_PREFIX = 'lameduck-drill-nginx-';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * What a drill killed with SIGKILL left: its nginx (master and workers: the master's process
 * group, from the pid file) and its directory, found by the owner's pid in the directory's name.
 * Returns the directories removed.
 */
export async function sweepAbandonedIngresses(dir: string = tmpdir()): Promise<string[]> {
  const swept: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const owner = Number(new RegExp(`^${DIR_PREFIX}(\\d+)-`).exec(name)?.[1]);
    if (!Number.isInteger(owner) || owner === process.pid || alive(owner)) continue;
    const master = Number(await readFile(join(dir, name, 'nginx.pid'), 'utf8').catch(() => ''));
    // Only the nginx started with this prefix: a pid can be reused once its process is gone.
    const cmdline = await readFile(`/proc/${master}/cmdline`, 'utf8').catch(() => '');
    if (Number.isInteger(master) && master > 0 && cmdline.includes(join(dir, name))) {
      try {
        process.kill(-master, 'SIGKILL');
      } catch {
        // Gone already (the namespace it ran in was removed).
      }
    }
    await rm(join(dir, name), { recursive: true, force: true });
    swept.push(name);
  }
  return swept;
}

/** Every nginx still running, so that every way out of the drill (a crash too) ends it. */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** SIGKILLs every nginx's process group (master and workers), synchronously. */
export function killAllIngresses(): void {
  for (const child of live) killGroup(child);
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

export interface IngressOptions {
  /** upstream-keepalive-timeout in seconds (ingress-nginx: 60). */
  upstreamKeepAliveTimeoutS?: number;
  /** false: one try, no proxy_next_upstream (an AWS ALB's behaviour). */
  retry?: boolean;
}

/**
 * An nginx in front of the pods, run as ingress-nginx runs it (nginx-config.ts): the load connects
 * to it, it connects to the pods' own addresses (never the Service VIP), and the controller's
 * rate-limited sync (ingress-sync.ts) hands it the Ready endpoints without a reload.
 */
export class NginxIngress implements ServiceNetwork {
  readonly host = '127.0.0.1';
  readonly port: number;
  readonly #configPort: number;
  readonly #dir: string;
  readonly #child: ChildProcess;
  readonly #sync: IngressSync;
  readonly #exited: Promise<void>;
  /** Every pod that has been an endpoint, by "host:port". */
  readonly #pods = new Map<string, { pod: string; version: string }>();
  #stderr = '';
  #closed = false;
  #requests: IngressRequest[] | undefined;

  private constructor(dir: string, port: number, configPort: number, child: ChildProcess) {
    this.#dir = dir;
    this.port = port;
    this.#configPort = configPort;
    this.#child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4000);
    });
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.#exited.then(() => live.delete(child));
    this.#sync = new IngressSync({
      syncPerSecond: INGRESS_NGINX_DEFAULTS.syncPerSecond,
      push: (backends) => this.#push(backendsBody(backends)),
    });
  }

  static async start(options: IngressOptions = {}): Promise<NginxIngress> {
    const missing = nginxMissing();
    if (missing) throw new DrillError(`--ingress nginx ${missing}`);
    await sweepAbandonedIngresses();
    const dir = await mkdtemp(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
    const port = await freePort();
    const configPort = await freePort();
    const config = nginxConfig({
      dir,
      port,
      configPort,
      modulesDir: NGINX_MODULES_DIR,
      user: process.getuid?.() === 0 ? 'root' : undefined,
      upstreamKeepAliveTimeoutS:
        options.upstreamKeepAliveTimeoutS ?? INGRESS_NGINX_DEFAULTS.keepAliveTimeoutS,
      retry: options.retry ?? true,
      workers: 2,
    });
    await writeFile(join(dir, 'nginx.conf'), config);
    const child = spawn(
      which('nginx') ?? 'nginx',
      ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')],
      // Its own process group: master and workers are ended together, and Ctrl-C is the drill's.
      { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    live.add(child);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', killAllIngresses);
    }
    child.on('error', () => {});
    const ingress = new NginxIngress(dir, port, configPort, child);
    try {
      await ingress.#waitUntilServing();
    } catch (error) {
      await ingress.close();
      throw error;
    }
    return ingress;
  }

  setEndpoints(endpoints: readonly Endpoint[]): Promise<void> {
    for (const endpoint of endpoints)
      this.#pods.set(`${endpoint.host}:${endpoint.port}`, { pod: endpoint.pod, version: endpoint.version });
    return this.#sync.update(endpoints);
  }

  /** nginx's connections are its own: which pod answered is read from its log after the run (attribute). */
  connectionFrom(): ProxiedConnection | undefined {
    return undefined;
  }

  /** Waits until nginx has logged every request answered so far (its access log stops growing). */
  async flush(): Promise<void> {
    let size = -1;
    for (let waited = 0; waited < 3000; waited += 200) {
      const now = (await readFile(join(this.#dir, 'access.log'), 'utf8').catch(() => '')).length;
      if (now === size) return;
      size = now;
      await sleep(200);
    }
  }

  /** What nginx logged, request by request (read once, after flush). */
  async requests(): Promise<IngressRequest[]> {
    if (this.#requests) return this.#requests;
    const [access, errors] = await Promise.all(
      ['access.log', 'error.log'].map((file) => readFile(join(this.#dir, file), 'utf8').catch(() => '')),
    );
    this.#requests = readIngressLogs(access ?? '', errors ?? '');
    return this.#requests;
  }

  /**
   * Fills in which pod answered each client request (the last pod nginx tried, by the request's
   * X-Drill-Request header), and returns what nginx hid and what it could not.
   */
  async attribute(records: RequestRecord[]): Promise<IngressSummary> {
    const requests = await this.requests();
    const byId = new Map<number, IngressRequest>();
    for (const entry of requests) if (entry.request !== undefined) byId.set(entry.request, entry);
    for (const record of records) {
      const entry = record.id === undefined ? undefined : byId.get(record.id);
      const last = entry?.tries.at(-1);
      const pod = last === undefined ? undefined : this.#pods.get(last.address);
      if (pod) {
        record.pod = pod.pod;
        record.version = pod.version;
      }
    }
    return summarizeIngress(requests.filter((entry) => entry.request !== undefined));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#sync.close();
    // SIGTERM: nginx's fast shutdown; SIGKILL for the whole group if it lingers.
    try {
      if (this.#child.pid !== undefined && this.#child.exitCode === null)
        process.kill(this.#child.pid, 'SIGTERM');
    } catch {
      // Gone already.
    }
    await Promise.race([this.#exited, sleep(2000)]);
    killGroup(this.#child);
    await rm(this.#dir, { recursive: true, force: true });
  }

  async #waitUntilServing(): Promise<void> {
    const startedAt = performance.now();
    while (performance.now() - startedAt < START_TIMEOUT_MS) {
      if (this.#child.exitCode !== null || this.#child.signalCode !== null) break;
      const answer = await this.#call('GET', '/configuration/applied').catch(() => undefined);
      if (answer !== undefined) return;
      await sleep(50);
    }
    const why = this.#stderr.trim().split('\n').at(-1);
    throw new DrillError(
      `--ingress nginx: nginx did not start${why ? `: ${why}` : ` within ${START_TIMEOUT_MS / 1000} s`}`,
    );
  }

  /** POSTs the backends, then waits until every worker's timer has picked them up. */
  async #push(body: string): Promise<void> {
    const version = Number(await this.#call('POST', '/configuration/backends', body));
    while (!this.#closed) {
      if (Number(await this.#call('GET', '/configuration/applied')) >= version) return;
      await sleep(50);
    }
  }

  #call(method: string, path: string, body?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const outgoing = request(
        { host: '127.0.0.1', port: this.#configPort, method, path, agent: false, timeout: 2000 },
        (response) => {
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            text += chunk;
          });
          response.on('end', () =>
            response.statusCode === 200
              ? resolve(text.trim())
              : reject(new DrillError(`nginx's ${path} answered ${response.statusCode}`)),
          );
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error('timeout')));
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }
}

/** A network whose Services are nginx ingresses in front of its pods (which keep their addresses). */
export function behindNginx(network: Network, options: IngressOptions = {}): Network {
  return {
    kind: network.kind,
    pods: network.pods,
    service: () => NginxIngress.start(options),
  };
}
