import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';
import type { ProxiedConnection } from './proxy.js';
import { classify, classifyStatus, type RequestRecord } from './requests.js';

export interface LoadOptions {
  /** The Service's address: 127.0.0.1 and the proxy's port, or the virtual IP and port 80. */
  host: string;
  port: number;
  /** Requests per second, all clients together. */
  rate: number;
  /** How many keep-alive clients share their part of the rate (each one connection, one request at a time). */
  keepAliveClients: number;
  /** The part of the rate sent by keep-alive clients; the rest opens a new connection per request. */
  keepAliveShare: number;
  path: string;
  timeoutMs: number;
  /** The share of requests sent as POST (non-idempotent: a proxy does not send them again). */
  postShare?: number;
  /**
   * Keep-alive clients beside the others that each wait `idleGapMs` (drawn for each gap) between
   * requests: longer than Node's 5 s keep-alive timeout, so that idle pooled connections show.
   */
  idleGapClients?: number;
  idleGapMs?: [number, number];
  /** Milliseconds since the run started. */
  now: () => number;
  /**
   * Which pod the Service sent a client connection to, by its local port (undefined when the
   * connection never opened), for a request that started at `startMs`.
   */
  lookup: (clientPort: number | undefined, startMs: number) => ProxiedConnection | undefined;
}

/** New-connection requests allowed in flight at once; beyond that the generator skips and counts. */
const MAX_IN_FLIGHT = 2000;
/**
 * After a stall of the drill's process (a busy machine), requests due more than this long ago are
 * not sent: a burst of hundreds at once would be the drill's own doing, not the rollout's.
 */
const MAX_CATCH_UP_MS = 50;
const TICK_MS = 5;
const POST_BODY = Buffer.from('{"order":"drill"}\n');

/**
 * Steady load through the Service for as long as it runs: keep-alive clients, each reusing one
 * connection as an HTTP client pool does, and clients that open a new connection for every
 * request, so that both of Kubernetes' ways of dropping requests are exercised — new connections
 * sent to a pod that stopped listening, and established connections closed under a request.
 * Plain node:http clients, no retries: every failure is counted.
 */
export class LoadGenerator {
  readonly records: RequestRecord[] = [];
  /** Requests the generator did not start: too many in flight, or due during a stall of the drill. */
  skipped = 0;
  readonly #options: LoadOptions;
  readonly #agents: Agent[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  readonly #localPorts = new WeakMap<Socket, number>();
  #running = false;
  #ticker: NodeJS.Timeout | undefined;
  readonly #loops: Promise<void>[] = [];
  readonly #sleepers = new Set<() => void>();
  #serial = 0;

  constructor(options: LoadOptions) {
    this.#options = options;
  }

  start(): void {
    const { rate, keepAliveClients, keepAliveShare } = this.#options;
    this.#running = true;
    // With no keep-alive clients, every request opens a new connection.
    const keepAliveRate = keepAliveClients > 0 ? rate * keepAliveShare : 0;
    if (keepAliveRate > 0) {
      const intervalMs = (1000 * keepAliveClients) / keepAliveRate;
      for (let index = 0; index < keepAliveClients; index += 1) {
        const agent = new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
        this.#agents.push(agent);
        this.#loops.push(this.#keepAliveLoop(agent, intervalMs, (intervalMs * index) / keepAliveClients));
      }
    }
    const [gapMinMs, gapMaxMs] = this.#options.idleGapMs ?? [5500, 7000];
    for (let index = 0; index < (this.#options.idleGapClients ?? 0); index += 1) {
      const agent = new Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1 });
      this.#agents.push(agent);
      this.#loops.push(this.#idleGapLoop(agent, gapMinMs, gapMaxMs, (gapMinMs * index) / 4));
    }
    const newConnectionRate = rate - keepAliveRate;
    if (newConnectionRate > 0) {
      const startedAt = this.#options.now();
      let sent = 0;
      this.#ticker = setInterval(() => {
        const due = Math.floor(((this.#options.now() - startedAt) * newConnectionRate) / 1000) - sent;
        const catchUp = Math.max(1, Math.ceil((newConnectionRate * MAX_CATCH_UP_MS) / 1000));
        for (let index = 0; index < due; index += 1) {
          sent += 1;
          if (index >= catchUp || this.#inFlight.size >= MAX_IN_FLIGHT) this.skipped += 1;
          else this.#track(this.#send(false, 'new-connection'));
        }
      }, TICK_MS);
    }
  }

  /**
   * Fills in the pod of requests whose connection could not be looked up when they ended (in the
   * kernel mode, conntrack's report of a connection can come after its answer).
   */
  fillIn(lookup: LoadOptions['lookup']): void {
    for (const record of this.records) {
      if (record.pod !== undefined || record.localPort === undefined) continue;
      const connection = lookup(record.localPort, record.startMs);
      if (connection?.pod !== undefined) record.pod = connection.pod;
      if (connection?.version !== undefined) record.version = connection.version;
    }
  }

  /** Stops starting requests and waits for those in flight (each bounded by its timeout). */
  async stop(): Promise<void> {
    this.#running = false;
    clearInterval(this.#ticker);
    for (const wake of this.#sleepers) wake();
    await Promise.all(this.#loops);
    await Promise.all(this.#inFlight);
    for (const agent of this.#agents) agent.destroy();
  }

  async #keepAliveLoop(agent: Agent, intervalMs: number, offsetMs: number): Promise<void> {
    let next = this.#options.now() + offsetMs;
    while (this.#running) {
      await this.#sleep(next - this.#options.now());
      if (!this.#running) return;
      await this.#send(agent, 'keep-alive');
      // A steady pace; after a slow answer, carry on from now rather than send a burst.
      next = Math.max(next + intervalMs, this.#options.now());
    }
  }

  async #idleGapLoop(agent: Agent, gapMinMs: number, gapMaxMs: number, offsetMs: number): Promise<void> {
    await this.#sleep(offsetMs);
    while (this.#running) {
      await this.#send(agent, 'idle-gaps');
      await this.#sleep(gapMinMs + Math.random() * (gapMaxMs - gapMinMs));
    }
  }

  #sleep(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleepers.add(wake);
    });
  }

  #track(sending: Promise<void>): void {
    this.#inFlight.add(sending);
    void sending.then(() => this.#inFlight.delete(sending));
  }

  #send(agent: Agent | false, client: RequestRecord['client']): Promise<void> {
    const { host, port, path, timeoutMs, now, lookup, postShare = 0 } = this.#options;
    const startMs = now();
    this.#serial += 1;
    const id = this.#serial;
    const method = postShare > 0 && Math.random() < postShare ? 'POST' : 'GET';
    return new Promise((resolve) => {
      let socket: Socket | undefined;
      let done = false;
      let timedOut = false;
      let answered = false;
      /** Either the status of a complete response, or the error code of a failed request. */
      const finish = (outcome: { status?: number; code?: string }) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        const localPort = socket ? this.#localPorts.get(socket) : undefined;
        const connection = lookup(localPort, startMs);
        const failure =
          outcome.code !== undefined
            ? classify({ code: outcome.code, timedOut, answered, connection: connection?.outcome })
            : outcome.status !== undefined
              ? classifyStatus(outcome.status)
              : undefined;
        this.records.push({
          id,
          ...(method === 'POST' ? { method } : {}),
          startMs,
          endMs: now(),
          client,
          reused: outgoing.reusedSocket,
          ...(outcome.status === undefined ? {} : { status: outcome.status }),
          ...(outcome.code === undefined ? {} : { code: outcome.code }),
          ...(failure === undefined ? {} : { failure }),
          ...(connection?.pod === undefined ? {} : { pod: connection.pod }),
          ...(connection?.version === undefined ? {} : { version: connection.version }),
          ...(localPort === undefined ? {} : { localPort }),
        });
        resolve();
      };
      const outgoing = request(
        {
          host,
          port,
          path,
          agent,
          method,
          headers: {
            'x-drill-request': String(id),
            ...(agent === false ? { connection: 'close' } : {}),
            ...(method === 'POST'
              ? { 'content-type': 'text/plain', 'content-length': POST_BODY.length }
              : {}),
          },
        },
        (response) => {
          answered = true;
          const status = response.statusCode ?? 0;
          response.resume();
          response.on('end', () => finish({ status }));
          // Cut off before its end: some Node versions say so only with 'close'.
          response.on('close', () => {
            if (!response.complete) finish({ code: 'ECONNRESET' });
          });
          response.on('error', (error: NodeJS.ErrnoException) =>
            finish({ code: error.code ?? 'ECONNRESET' }),
          );
        },
      );
      outgoing.on('socket', (assigned: Socket) => {
        socket = assigned;
        if (this.#localPorts.has(assigned)) return;
        const remember = () => {
          if (assigned.localPort !== undefined) this.#localPorts.set(assigned, assigned.localPort);
        };
        if (assigned.connecting) assigned.once('connect', remember);
        else remember();
      });
      const timer = setTimeout(() => {
        timedOut = true;
        outgoing.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }));
      }, timeoutMs);
      outgoing.on('error', (error: NodeJS.ErrnoException) => finish({ code: error.code ?? error.message }));
      outgoing.end(method === 'POST' ? POST_BODY : undefined);
    });
  }
}
