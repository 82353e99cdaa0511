import { isReady, type PodState } from './pod.js';

/** One address of the Service, with EndpointSlice's three conditions. */
export interface Endpoint {
  pod: string;
  version: string;
  port: number;
  /** Serving and not terminating: what kube-proxy sends new connections to. */
  ready: boolean;
  /** The readiness probe passes (terminating or not). */
  serving: boolean;
  terminating: boolean;
}

/** What the endpoint controller publishes for the pods: every pod that has not exited. */
export function endpointsOf(pods: Iterable<PodState>): Endpoint[] {
  const endpoints: Endpoint[] = [];
  for (const pod of pods) {
    if (pod.exit !== undefined || !pod.started) continue;
    endpoints.push({
      pod: pod.name,
      version: pod.version,
      port: pod.port,
      ready: isReady(pod),
      serving: pod.probeReady,
      terminating: pod.deletedAtMs !== undefined,
    });
  }
  return endpoints.sort((a, b) => a.pod.localeCompare(b.pod));
}

/** A lag in milliseconds, drawn for each update. */
export type Lag = () => number;

/** A fixed lag, or one drawn uniformly from [minMs, maxMs] for each update. */
export function lagBetween(minMs: number, maxMs: number, random: () => number = Math.random): Lag {
  return () => Math.round(minMs + (maxMs - minMs) * random());
}

/**
 * Endpoint changes on their way to kube-proxy. Each published set arrives `lag()` later, and
 * never before a set published earlier (watch events arrive in order), so a quick update may wait
 * behind a slow one. Identical sets are not sent again.
 */
export class EndpointPropagation {
  readonly #lag: Lag;
  readonly #deliver: (endpoints: readonly Endpoint[], publishedAtMs: number) => void;
  readonly #now: () => number;
  /** In order of arrival, which is also the order of publication. */
  readonly #queue: { arrivalMs: number; publishedAtMs: number; endpoints: Endpoint[] }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #lastPublished = '';

  constructor(options: {
    lag: Lag;
    deliver: (endpoints: readonly Endpoint[], publishedAtMs: number) => void;
    now?: () => number;
  }) {
    this.#lag = options.lag;
    this.#deliver = options.deliver;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Updates published and not yet delivered. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Publishes a set; returns the lag it got, or undefined when nothing changed. */
  publish(endpoints: readonly Endpoint[]): number | undefined {
    const key = JSON.stringify(endpoints);
    if (key === this.#lastPublished) return undefined;
    this.#lastPublished = key;
    const publishedAtMs = this.#now();
    const previous = this.#queue.at(-1)?.arrivalMs ?? 0;
    const arrivalMs = Math.max(publishedAtMs + this.#lag(), previous);
    this.#queue.push({ arrivalMs, publishedAtMs, endpoints: endpoints.map((endpoint) => ({ ...endpoint })) });
    if (this.#queue.length === 1) this.#schedule();
    return Math.round(arrivalMs - publishedAtMs);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#queue.length = 0;
  }

  #schedule(): void {
    const head = this.#queue[0];
    if (!head) return;
    this.#timer = setTimeout(() => this.#arrive(), Math.max(0, head.arrivalMs - this.#now()));
  }

  #arrive(): void {
    // Everything due by now, oldest first; a timer that fires a little early waits again.
    while (this.#queue.length > 0 && (this.#queue[0]?.arrivalMs ?? 0) <= this.#now() + 1) {
      const update = this.#queue.shift();
      if (update) this.#deliver(update.endpoints, update.publishedAtMs);
    }
    this.#schedule();
  }
}
