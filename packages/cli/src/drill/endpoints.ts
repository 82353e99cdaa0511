import { isReady, type PodState } from './pod.js';

/** One address of the Service, with EndpointSlice's three conditions. */
export interface Endpoint {
  pod: string;
  version: string;
  /** The pod's address: 127.0.0.1 in the user-space mode, its own in the kernel mode. */
  host: string;
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
      host: pod.host,
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
 * Endpoint changes on their way to kube-proxy. Each published set arrives `lag()` later. Every set
 * is the whole state, as kube-proxy's sync is: when a set arrives, any older one still on its way
 * is dropped, so the proxy never goes back to an older state. Identical sets are not sent again.
 */
export class EndpointPropagation {
  readonly #lag: Lag;
  readonly #deliver: (endpoints: readonly Endpoint[], publishedAtMs: number) => void;
  readonly #now: () => number;
  /** Sets on their way, oldest first. */
  #inFlight: { serial: number; arrivalMs: number; publishedAtMs: number; endpoints: Endpoint[] }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #serial = 0;
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

  /** Sets published and not yet delivered (nor superseded by a newer one that was). */
  get pending(): number {
    return this.#inFlight.length;
  }

  /** Publishes a set; returns the lag it got, or undefined when nothing changed. */
  publish(endpoints: readonly Endpoint[]): number | undefined {
    const key = JSON.stringify(endpoints);
    if (key === this.#lastPublished) return undefined;
    this.#lastPublished = key;
    const publishedAtMs = this.#now();
    const lagMs = Math.round(this.#lag());
    this.#serial += 1;
    this.#inFlight.push({
      serial: this.#serial,
      arrivalMs: publishedAtMs + lagMs,
      publishedAtMs,
      endpoints: endpoints.map((endpoint) => ({ ...endpoint })),
    });
    this.#schedule();
    return lagMs;
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#inFlight = [];
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    if (this.#inFlight.length === 0) return;
    const next = Math.min(...this.#inFlight.map((update) => update.arrivalMs));
    this.#timer = setTimeout(() => this.#arrive(), Math.max(0, next - this.#now()));
  }

  #arrive(): void {
    // The newest set that has arrived wins; older ones, arrived or not, are dropped.
    const now = this.#now() + 1;
    const arrived = this.#inFlight.filter((update) => update.arrivalMs <= now);
    const newest = arrived.reduce<(typeof arrived)[number] | undefined>(
      (latest, update) => (latest === undefined || update.serial > latest.serial ? update : latest),
      undefined,
    );
    if (newest) {
      this.#inFlight = this.#inFlight.filter((update) => update.serial > newest.serial);
      this.#deliver(newest.endpoints, newest.publishedAtMs);
    }
    this.#schedule();
  }
}
