import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Endpoint } from './endpoints.js';
import type { ServiceNetwork } from './network.js';

/** What became of one client connection through the Service. */
export interface ProxiedConnection {
  /** The pod it was sent to; absent when there was no endpoint. */
  pod?: string;
  version?: string;
  /**
   * open: connected to the pod. refused: the pod's port refused the connection (with iptables
   * the client itself would see ECONNREFUSED). no-endpoint: nothing to send it to.
   */
  outcome: 'connecting' | 'open' | 'refused' | 'no-endpoint' | 'upstream-error';
}

/**
 * The Service: a TCP proxy on one port, standing in for kube-proxy. Like kube-proxy it balances
 * connections, not requests: each new connection goes to an endpoint picked at random among the
 * ready ones (or, when none is ready, among terminating endpoints that still pass readiness,
 * as kube-proxy does since 1.26), and stays with that pod until one side closes it, whatever
 * the endpoints do afterwards. A connection the pod refuses or resets is reset towards the client.
 */
export class ServiceProxy implements ServiceNetwork {
  readonly host = '127.0.0.1';
  readonly #server: Server;
  #endpoints: readonly Endpoint[] = [];
  readonly #byClientPort = new Map<number, ProxiedConnection>();
  readonly #sockets = new Set<Socket>();
  readonly #random: () => number;

  private constructor(random: () => number) {
    this.#random = random;
    this.#server = createServer({ allowHalfOpen: true, noDelay: true }, (client) => this.#accept(client));
  }

  static async listen(options: { random?: () => number } = {}): Promise<ServiceProxy> {
    const proxy = new ServiceProxy(options.random ?? Math.random);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get port(): number {
    const address = this.#server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** The endpoints as kube-proxy currently sees them. */
  get endpoints(): readonly Endpoint[] {
    return this.#endpoints;
  }

  setEndpoints(endpoints: readonly Endpoint[]): void {
    this.#endpoints = endpoints;
  }

  /** The connection whose client side uses this local port (the latest one to use it). */
  connectionFrom(clientPort: number | undefined): ProxiedConnection | undefined {
    return clientPort === undefined ? undefined : this.#byClientPort.get(clientPort);
  }

  /** Every connection is known as soon as it is accepted. */
  async flush(): Promise<void> {}

  /** Stops listening and resets every connection still open. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #pick(): Endpoint | undefined {
    const ready = this.#endpoints.filter((endpoint) => endpoint.ready);
    const candidates =
      ready.length > 0
        ? ready
        : this.#endpoints.filter((endpoint) => endpoint.serving && endpoint.terminating);
    return candidates[Math.floor(this.#random() * candidates.length)];
  }

  #accept(client: Socket): void {
    this.#track(client);
    const record: ProxiedConnection = { outcome: 'connecting' };
    if (client.remotePort !== undefined) this.#byClientPort.set(client.remotePort, record);
    const endpoint = this.#pick();
    if (!endpoint) {
      record.outcome = 'no-endpoint';
      // After the client has seen its connection open, so that it can tell which one it was.
      setImmediate(() => client.resetAndDestroy());
      return;
    }
    record.pod = endpoint.pod;
    record.version = endpoint.version;
    const upstream = connect({
      host: endpoint.host,
      port: endpoint.port,
      allowHalfOpen: true,
      noDelay: true,
    });
    this.#track(upstream);
    upstream.once('connect', () => {
      record.outcome = 'open';
    });
    client.pipe(upstream);
    upstream.pipe(client);
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (record.outcome === 'connecting')
        record.outcome = error.code === 'ECONNREFUSED' ? 'refused' : 'upstream-error';
      // The pod refused or reset: the client sees a reset, as it would through iptables.
      if (!client.destroyed) client.resetAndDestroy();
    });
    client.on('error', () => {
      if (!upstream.destroyed) upstream.resetAndDestroy();
    });
    upstream.once('close', () => {
      // Whatever the pod sent has been piped; nothing more can reach it.
      if (!client.destroyed) client.end(() => client.destroy());
    });
    client.once('close', () => {
      if (!upstream.destroyed) upstream.end(() => upstream.destroy());
    });
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }
}
