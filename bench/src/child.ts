import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ChildStats, ServerSpec } from './spec.js';

const SERVER_ENTRY = fileURLToPath(new URL('./server.js', import.meta.url));
const START_TIMEOUT_MS = 20_000;
const STATS_TIMEOUT_MS = 30_000;

export interface ChildOptions {
  /** Extra node flags for the child (--expose-gc, --cpu-prof). */
  execArgv?: readonly string[];
  /** Pin the child (all its threads) to this CPU, like a pod limited to one CPU. */
  cpu?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() in the parent when the exit was seen. */
  atMs: number;
}

/** A running server child, seen from the parent. */
export class ServerChild {
  readonly spec: ServerSpec;
  readonly process: ChildProcess;
  readonly exited: Promise<ExitInfo>;
  port = 0;
  probePort = 0;
  probePath = '';
  #nextId = 0;
  #stderr = '';
  readonly #waiting = new Map<number, (stats: ChildStats) => void>();
  readonly #profiling = new Map<number, () => void>();
  readonly #slowListeners = new Set<() => void>();

  private constructor(spec: ServerSpec, options: ChildOptions) {
    this.spec = spec;
    this.process = fork(SERVER_ENTRY, [JSON.stringify(spec)], {
      execArgv: [...(options.execArgv ?? [])],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // Outside Kubernetes, whatever the machine running the bench says.
      env: { ...process.env, KUBERNETES_SERVICE_HOST: '', NODE_ENV: 'production' },
    });
    this.process.stderr?.setEncoding('utf8');
    this.process.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4000);
    });
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => resolve({ code, signal, atMs: performance.now() }));
    });
    this.process.on('message', (message: ChildMessage) => {
      if (message.type === 'stats') {
        this.#waiting.get(message.id)?.(message.stats);
        this.#waiting.delete(message.id);
      } else if (message.type === 'profiled') {
        this.#profiling.get(message.id)?.();
        this.#profiling.delete(message.id);
      } else if (message.type === 'slow-started') {
        for (const listener of this.#slowListeners) listener();
      }
    });
  }

  static async start(spec: ServerSpec, options: ChildOptions = {}): Promise<ServerChild> {
    const child = new ServerChild(spec, options);
    const label = `${spec.framework}/${spec.variant}`;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${label} did not start in time`)), START_TIMEOUT_MS);
      child.process.on('message', (message: ChildMessage) => {
        if (message.type !== 'listening') return;
        clearTimeout(timer);
        child.port = message.port;
        child.probePort = message.probePort;
        child.probePath = message.probePath;
        // Once listening, every thread the child starts with exists; later ones inherit the pin.
        if (options.cpu !== undefined) pin(child.process.pid, options.cpu);
        resolve();
      });
      void child.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`${label} exited before listening (${code ?? signal}): ${child.stderr.trim()}`));
      });
    });
    return child;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get probeUrl(): string {
    return `http://127.0.0.1:${this.probePort}${this.probePath}`;
  }

  get stderr(): string {
    return this.#stderr;
  }

  /** The child's figures; with `gc`, after forced garbage collection (the child needs --expose-gc). */
  stats(gc = false): Promise<ChildStats> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`${this.spec.framework}/${this.spec.variant} did not report its figures in time`));
      }, STATS_TIMEOUT_MS);
      this.#waiting.set(id, (stats) => {
        clearTimeout(timer);
        resolve(stats);
      });
      this.process.send({ type: 'stats', id, gc }, (error) => {
        if (error) {
          clearTimeout(timer);
          reject(error);
        }
      });
    });
  }

  /** Starts the child's CPU profiler; with `file`, stops it and writes the profile there. */
  profile(file?: string): Promise<void> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#profiling.delete(id);
        reject(
          new Error(
            `${this.spec.framework}/${this.spec.variant} did not ${file ? 'write' : 'start'} its profile in time`,
          ),
        );
      }, STATS_TIMEOUT_MS);
      this.#profiling.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
      this.process.send({ type: 'profile', id, ...(file === undefined ? {} : { file }) });
    });
  }

  /** Resolves when the child reports the next `/slow` request arriving. */
  nextSlowStart(): Promise<void> {
    return new Promise((resolve) => {
      const listener = () => {
        this.#slowListeners.delete(listener);
        resolve();
      };
      this.#slowListeners.add(listener);
    });
  }

  /** Asks the child to exit normally (a --cpu-prof profile is written then); kills it if it does not. */
  async exit(): Promise<void> {
    if (this.process.connected) this.process.send({ type: 'exit' });
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  async kill(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
    await this.exited;
  }
}

/** Pins a process and all its threads to one CPU; false where taskset is missing. */
export function pin(pid: number | undefined, cpu: number): boolean {
  if (pid === undefined) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
