import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { DrillError } from './errors.js';
import type { PodState } from './pod.js';
import { describeExit, PodProcess, type ProcessExit } from './pod-process.js';
import { ProbeWorker } from './probe-worker.js';
import type { DrillSpec } from './spec.js';
import type { Timeline } from './timeline.js';

/** Kubernetes gives a container at least this long after SIGTERM when preStop used up the grace period. */
const MINIMUM_GRACE_AFTER_PRESTOP_MS = 2000;

export interface KubeletOptions {
  spec: DrillSpec;
  name: string;
  version: string;
  /** The pod's address, where the kubelet probes it. */
  host: string;
  port: number;
  command: readonly string[];
  cwd: string;
  env: Record<string, string>;
  timeline: Timeline;
  /** The pod's state changed (started, ready, deleted, exited). */
  onChange: (pod: PodState) => void;
  /** The pod cannot run at all: the drill stops with this error. */
  onFatal: (error: DrillError) => void;
}

/**
 * The kubelet's part for one pod: starts its container as a real process with the manifest's
 * env, probes it as the manifest says (startup first; readiness and liveness once it has
 * started), restarts it when liveness or startup fails, and on delete runs the preStop hook,
 * sends SIGTERM, and SIGKILLs the process group at the end of the grace period.
 */
export class Kubelet {
  readonly pod: PodState;
  readonly #options: KubeletOptions;
  readonly #workers: { startup?: ProbeWorker; readiness?: ProbeWorker; liveness?: ProbeWorker } = {};
  #process: PodProcess | undefined;
  #stopping: Promise<ProcessExit> | undefined;
  #deleted: Promise<void> | undefined;
  readonly #abort = new AbortController();

  constructor(options: KubeletOptions) {
    this.#options = options;
    const { timeline, name, version, host, port, spec } = options;
    this.pod = {
      name,
      version,
      host,
      port,
      createdAtMs: timeline.now(),
      started: false,
      probeReady: false,
      everReady: false,
      readySinceMs: undefined,
      deletedAtMs: undefined,
      exit: undefined,
      restarts: 0,
      killed: false,
    };
    const { startup, readiness, liveness } = spec.probes;
    if (startup) {
      this.#workers.startup = new ProbeWorker('startup', startup, {
        host,
        port,
        skip: () => this.pod.started || this.pod.deletedAtMs !== undefined,
        onResult: (result, outcome) => {
          if (result === 'success') this.#markStarted();
          else this.#restart(`startup probe failed ${startup.failureThreshold} times (${outcome.detail})`);
        },
      });
    }
    if (readiness) {
      this.#workers.readiness = new ProbeWorker('readiness', readiness, {
        host,
        port,
        skip: () => !this.pod.started,
        onResult: (result) => this.#setReady(result === 'success'),
      });
    }
    if (liveness) {
      this.#workers.liveness = new ProbeWorker('liveness', liveness, {
        host,
        port,
        skip: () => !this.pod.started || this.pod.deletedAtMs !== undefined,
        onResult: (result, outcome) => {
          if (result === 'failure')
            this.#restart(`liveness probe failed ${liveness.failureThreshold} times (${outcome.detail})`);
        },
      });
    }
  }

  /** The last lines the container printed. */
  get output(): readonly string[] {
    return this.#process?.output ?? [];
  }

  /** The last attempt of the probe that holds the pod back (startup until it passes, then readiness). */
  get lastProbe(): string | undefined {
    const worker = this.pod.started
      ? (this.#workers.readiness ?? this.#workers.startup)
      : (this.#workers.startup ?? this.#workers.readiness);
    return worker?.lastOutcome?.detail;
  }

  start(): void {
    const { timeline, name, version } = this.#options;
    timeline.record('pod-created', name, version);
    this.#startContainer();
  }

  /** Deletes the pod: resolves once its process has exited. */
  delete(): Promise<void> {
    if (this.#deleted) return this.#deleted;
    const { timeline, name, onChange } = this.#options;
    this.pod.deletedAtMs = timeline.now();
    timeline.record('pod-deleted', name);
    this.#workers.startup?.stop();
    this.#workers.liveness?.stop();
    onChange(this.pod);
    this.#deleted = (async () => {
      // A restart in progress finishes its stop first; the container is not started again.
      const exit = this.#stopping ? await this.#stopping : await this.#stopContainer();
      this.#finish(exit);
    })();
    return this.#deleted;
  }

  /** Ends everything at once (the run is over or aborted): SIGKILL, no hooks, no events. */
  dispose(): void {
    this.#abort.abort();
    for (const worker of Object.values(this.#workers)) worker.stop();
    this.#process?.killGroup();
  }

  #startContainer(): void {
    const { command, cwd, env, name, timeline } = this.#options;
    const container = new PodProcess(name, command, { cwd, env });
    this.#process = container;
    const startedAt = performance.now();
    timeline.record('pod-started', name, this.pod.restarts > 0 ? `restart ${this.pod.restarts}` : undefined);
    this.pod.started = false;
    void container.exited.then((exit) => this.#onExit(container, exit));
    this.#workers.startup?.start(startedAt);
    this.#workers.readiness?.start(startedAt, 'failure');
    this.#workers.liveness?.start(startedAt, 'success');
    if (!this.#workers.startup) this.#markStarted();
  }

  #markStarted(): void {
    if (this.pod.started) return;
    this.pod.started = true;
    this.#options.onChange(this.pod);
    // Without a readiness probe a started container is ready; with one, the kubelet probes at
    // once instead of waiting for the next period.
    if (this.#workers.readiness) this.#workers.readiness.trigger();
    else this.#setReady(true);
  }

  #setReady(ready: boolean): void {
    if (this.pod.probeReady === ready) return;
    const { timeline, name, onChange } = this.#options;
    this.pod.probeReady = ready;
    this.pod.readySinceMs = ready ? timeline.now() : undefined;
    if (ready) this.pod.everReady = true;
    timeline.record(ready ? 'pod-ready' : 'pod-unready', name, this.#workers.readiness?.lastOutcome?.detail);
    onChange(this.pod);
  }

  #onExit(container: PodProcess, exit: ProcessExit): void {
    if (container !== this.#process || this.#stopping || this.pod.deletedAtMs !== undefined) return;
    if (this.#abort.signal.aborted) return;
    const { name, onFatal, timeline } = this.#options;
    if (!this.pod.everReady) {
      const last = telling(container.output);
      onFatal(
        new DrillError(
          `pod ${name} exited (${describeExit(exit)}) before it became ready${last ? `: ${last.slice(0, 200)}` : ''}`,
          container.output,
        ),
      );
      return;
    }
    // A crash after the pod served: the kubelet restarts the container (restartPolicy Always).
    timeline.record('pod-exited', name, `${describeExit(exit)}, unexpected`);
    this.pod.restarts += 1;
    this.#setReady(false);
    timeline.record('container-restarted', name, describeExit(exit));
    this.#startContainer();
  }

  #restart(why: string): void {
    if (this.#stopping || this.pod.deletedAtMs !== undefined) return;
    const { timeline, name } = this.#options;
    this.#setReady(false);
    for (const worker of Object.values(this.#workers)) worker.stop();
    this.#stopping = this.#stopContainer();
    void this.#stopping.then(() => {
      this.#stopping = undefined;
      if (this.pod.deletedAtMs !== undefined || this.#abort.signal.aborted) return;
      this.pod.restarts += 1;
      timeline.record('container-restarted', name, why);
      this.#startContainer();
    });
  }

  /** preStop, then SIGTERM, then SIGKILL at the end of the grace period. */
  async #stopContainer(): Promise<ProcessExit> {
    const container = this.#process;
    if (!container) return { code: null, signal: null };
    if (container.exit) return container.exit;
    const { spec, timeline, name } = this.#options;
    const signal = this.#abort.signal;
    const graceEndsAt = performance.now() + spec.gracePeriodMs;
    const preStopEnded = await Promise.race([
      this.#preStop(signal).then(() => true),
      // An abort ends the wait early; the checks below see the signal.
      sleep(spec.gracePeriodMs, false, { signal }).catch(() => false),
      container.exited.then(() => false),
    ]);
    if (!container.exit && !signal.aborted) {
      if (spec.preStop.type !== 'none')
        timeline.record('prestop-done', name, preStopEnded ? undefined : 'cut short by the grace period');
      timeline.record('sigterm', name);
      container.signal('SIGTERM');
    }
    const killAt = Math.max(
      graceEndsAt,
      preStopEnded ? 0 : performance.now() + MINIMUM_GRACE_AFTER_PRESTOP_MS,
    );
    const timer = setTimeout(
      () => {
        if (container.exit || signal.aborted) return;
        this.pod.killed = true;
        timeline.record('sigkill', name, `grace period of ${spec.gracePeriodMs / 1000} s over`);
        container.killGroup();
      },
      Math.max(0, killAt - performance.now()),
    );
    const exit = await container.exited;
    clearTimeout(timer);
    return exit;
  }

  async #preStop(signal: AbortSignal): Promise<void> {
    const { preStop } = this.#options.spec;
    if (preStop.type === 'sleep') await sleep(preStop.ms, undefined, { signal }).catch(() => undefined);
    else if (preStop.type === 'httpGet') await httpGet(this.pod.host, this.pod.port, preStop.path, signal);
  }

  #finish(exit: ProcessExit): void {
    const { timeline, name, onChange } = this.#options;
    for (const worker of Object.values(this.#workers)) worker.stop();
    this.pod.exit = exit;
    this.pod.probeReady = false;
    timeline.record('pod-exited', name, describeExit(exit));
    onChange(this.pod);
  }
}

/** A preStop httpGet: the kubelet waits for the answer (bounded by the grace period). */
function httpGet(host: string, port: number, path: string, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const hook = request({ host, port, path, agent: false, signal }, (response) => {
      response.resume();
      response.on('end', resolve);
      response.on('error', () => resolve());
    });
    hook.on('error', () => resolve());
    hook.end();
  });
}

/** The line of a crash that says what went wrong: an error message rather than a stack frame. */
export function telling(lines: readonly string[]): string | undefined {
  const meaningful = lines.filter(
    (line) => !/^\s+at |^\s*\^+\s*$|^Node\.js v\d|^\s*$|^\s*\}?\s*$|^\s+[a-zA-Z]+: /.test(line),
  );
  return [...meaningful].reverse().find((line) => /error/i.test(line)) ?? meaningful.at(-1) ?? lines.at(-1);
}
