import { type ProbeOutcome, runProbe } from './probe.js';
import type { ProbeSpec } from './spec.js';

export type ProbeKind = 'startup' | 'readiness' | 'liveness';

/** What a probe worker reports: a result crossed its threshold and changed. */
export type ProbeResult = 'success' | 'failure';

/**
 * One probe of one container, run as the kubelet's probe worker runs it: the first attempt when
 * the worker starts, then one at every tick of `periodMs` (a tick that comes while an attempt is
 * still running is skipped, as a Go ticker drops it); nothing before `initialDelayMs` after the
 * container started. A result counts once it has been seen `successThreshold` or
 * `failureThreshold` times in a row. `trigger()` runs an attempt now, as the kubelet does for
 * readiness when the container's status changes.
 */
export class ProbeWorker {
  readonly kind: ProbeKind;
  readonly spec: ProbeSpec;
  #port: number;
  #host: string;
  #startedAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #stopped = true;
  /** Bumped by start(): an attempt from before a restart must not count after it. */
  #generation = 0;
  #last: ProbeResult | undefined;
  #run = 0;
  #result: ProbeResult | undefined;
  lastOutcome: ProbeOutcome | undefined;
  readonly #skip: () => boolean;
  readonly #onResult: (result: ProbeResult, outcome: ProbeOutcome) => void;

  constructor(
    kind: ProbeKind,
    spec: ProbeSpec,
    options: {
      port: number;
      /** The pod's address (default 127.0.0.1). */
      host?: string;
      /** True while the kubelet would not run this probe (readiness before startup succeeded). */
      skip?: () => boolean;
      onResult: (result: ProbeResult, outcome: ProbeOutcome) => void;
      /** The result before any attempt: readiness starts failed, liveness succeeded. */
      initial?: ProbeResult;
    },
  ) {
    this.kind = kind;
    this.spec = spec;
    this.#port = options.port;
    this.#host = options.host ?? '127.0.0.1';
    this.#skip = options.skip ?? (() => false);
    this.#onResult = options.onResult;
    this.#result = options.initial;
  }

  get result(): ProbeResult | undefined {
    return this.#result;
  }

  /** Starts probing a container that started at `startedAt` (performance.now() time). */
  start(startedAt: number, initial?: ProbeResult): void {
    this.stop();
    this.#generation += 1;
    this.#running = false;
    this.#stopped = false;
    this.#startedAt = startedAt;
    this.#last = undefined;
    this.#run = 0;
    this.#result = initial;
    this.#tick(performance.now());
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  trigger(): void {
    if (this.#stopped || this.#running) return;
    void this.#attempt();
  }

  #tick(at: number): void {
    if (this.#stopped) return;
    void this.#attempt();
    // The next tick of a fixed-rate ticker that started at `at`.
    const next = at + this.spec.periodMs;
    this.#timer = setTimeout(() => this.#tick(next), Math.max(0, next - performance.now()));
  }

  async #attempt(): Promise<void> {
    if (this.#running || this.#stopped || this.#skip()) return;
    if (performance.now() - this.#startedAt < this.spec.initialDelayMs) return;
    const generation = this.#generation;
    this.#running = true;
    const outcome = await runProbe(this.spec.action, this.#port, this.spec.timeoutMs, this.#host);
    if (generation !== this.#generation) return;
    this.#running = false;
    if (this.#stopped) return;
    this.lastOutcome = outcome;
    const result: ProbeResult = outcome.ok ? 'success' : 'failure';
    this.#run = result === this.#last ? this.#run + 1 : 1;
    this.#last = result;
    const threshold = result === 'success' ? this.spec.successThreshold : this.spec.failureThreshold;
    if (this.#run < threshold || result === this.#result) return;
    this.#result = result;
    this.#onResult(result, outcome);
  }
}
