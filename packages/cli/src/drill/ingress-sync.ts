import type { Endpoint } from './endpoints.js';

/** What the controller hands the balancer: the address of one Ready endpoint. */
export interface Backend {
  host: string;
  port: number;
}

/**
 * ingress-nginx's controller loop, as far as endpoints go: it sends the balancer the Ready
 * endpoints only (no terminating fallback, unlike kube-proxy), and no more often than its rate
 * limit allows (a token bucket of 0.3 syncs a second, burst 1: a change right after a sync waits
 * up to 3.3 s). Identical backends are not sent again. `push` resolves once the workers use them.
 */
export class IngressSync {
  readonly #intervalMs: number;
  readonly #push: (backends: readonly Backend[]) => Promise<void>;
  readonly #now: () => number;
  #wanted: Backend[] = [];
  #wantedSerial = 0;
  #sent = '';
  #lastSyncMs = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #syncing = false;
  #closed = false;
  readonly #waiters: { serial: number; resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(options: {
    syncPerSecond: number;
    push: (backends: readonly Backend[]) => Promise<void>;
    now?: () => number;
  }) {
    this.#intervalMs = 1000 / options.syncPerSecond;
    this.#push = options.push;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The endpoints the controller now sees; resolves once the balancer uses them (or newer ones). */
  update(endpoints: readonly Endpoint[]): Promise<void> {
    this.#wanted = endpoints
      .filter((endpoint) => endpoint.ready)
      .map((endpoint) => ({ host: endpoint.host, port: endpoint.port }));
    const serial = ++this.#wantedSerial;
    if (key(this.#wanted) === this.#sent && !this.#syncing) return Promise.resolve();
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ serial, resolve, reject }));
    this.#schedule();
    return done;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const waiter of this.#waiters.splice(0)) waiter.resolve();
  }

  #schedule(): void {
    if (this.#syncing || this.#timer !== undefined || this.#closed) return;
    const waitMs = Math.max(0, this.#lastSyncMs + this.#intervalMs - this.#now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#sync();
    }, waitMs);
  }

  async #sync(): Promise<void> {
    const serial = this.#wantedSerial;
    const backends = this.#wanted;
    this.#syncing = true;
    try {
      if (key(backends) !== this.#sent) {
        this.#lastSyncMs = this.#now();
        await this.#push(backends);
        this.#sent = key(backends);
      }
      this.#settle(serial, undefined);
    } catch (error) {
      this.#settle(this.#wantedSerial, error);
    } finally {
      this.#syncing = false;
    }
    if (this.#waiters.length > 0) this.#schedule();
  }

  #settle(serial: number, error: unknown): void {
    for (const waiter of [...this.#waiters]) {
      if (waiter.serial > serial) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  }
}

function key(backends: readonly Backend[]): string {
  return backends.map((backend) => `${backend.host} ${backend.port}`).join('\n');
}

/** The body of POST /configuration/backends: one "host port" a line. */
export function backendsBody(backends: readonly Backend[]): string {
  return backends.map((backend) => `${backend.host} ${backend.port}\n`).join('');
}
