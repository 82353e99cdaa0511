import { connect, type Socket } from 'node:net';
import autocannon from 'autocannon';
// The drill's percentile: bench is repository tooling and takes it from the CLI's source.
import { percentile } from '../../packages/cli/src/drill/percentile.js';

export interface LoadOptions {
  connections: number;
  /** Run for this long (seconds)… */
  durationS?: number;
  /** …or until this many requests have been answered. */
  amount?: number;
  /** Record every response time (float ms) for exact percentiles; off for very long runs. */
  latencies?: boolean;
  /** Requests in flight per connection (default 1). */
  pipelining?: number;
}

export interface LoadResult {
  requests: number;
  elapsedMs: number;
  requestsPerSec: number;
  /** From every response's own time (autocannon's histogram rounds to whole ms); NaN when not recorded. */
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

/** Keep-alive load from this process with autocannon; the server must live in another process. */
export function load(url: string, options: LoadOptions): Promise<LoadResult> {
  const times: number[] = [];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // A run that cannot finish (a server that stopped answering) fails the bench, not hangs it.
    const limitMs =
      options.amount === undefined ? ((options.durationS ?? 1) + 30) * 1000 : 60_000 + options.amount;
    const watchdog = setTimeout(() => {
      instance.stop();
      reject(new Error(`load on ${url} did not finish within ${limitMs} ms`));
    }, limitMs);
    const instance = autocannon(
      {
        url,
        connections: options.connections,
        pipelining: options.pipelining ?? 1,
        // autocannon stops only on a sample tick: 100 ms keeps an `amount` run from idling up to 1 s.
        sampleInt: 100,
        ...(options.amount === undefined ? { duration: options.durationS ?? 1 } : { amount: options.amount }),
        timeout: 30,
      },
      (error, result) => {
        clearTimeout(watchdog);
        if (error) {
          reject(error);
          return;
        }
        const elapsedMs = performance.now() - started;
        times.sort((a, b) => a - b);
        const requests = result.requests.total;
        resolve({
          requests,
          elapsedMs,
          requestsPerSec: requests / (elapsedMs / 1000),
          p50Ms: percentile(times, 0.5) ?? Number.NaN,
          p99Ms: percentile(times, 0.99) ?? Number.NaN,
          errors: result.errors + result.timeouts,
          non2xx: result.non2xx,
        });
      },
    );
    if (options.latencies !== false) {
      // Each connection's first answer also waited for the TCP handshake (and, with 1,000
      // connections, for the listen backlog to drain): not the server's latency, so left out.
      const answered = new WeakSet<object>();
      instance.on('response', (client, _status, _bytes, responseTime) => {
        if (answered.has(client)) times.push(responseTime);
        else answered.add(client);
      });
    }
  });
}

/** Rejects with `message` when `promise` takes longer than `ms`: the bench fails instead of hanging. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

export function median(values: readonly number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * Sends `total` keep-alive requests for `GET /` over `connections` sockets, `depth` pipelined
 * per write, and counts the answers by their status lines. Far cheaper per request than
 * autocannon's parser, so that one CPU of load generator can keep the server saturated for a
 * million requests. Resolves with the number of answers.
 */
export function blast(port: number, total: number, connections: number, depth: number): Promise<number> {
  const request = 'GET / HTTP/1.1\r\nHost: bench\r\n\r\n';
  const marker = 'HTTP/1.1 ';
  let sent = 0;
  let answered = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let pending = 0;
      let tail = '';
      const next = () => {
        const batch = Math.min(depth, total - sent);
        if (batch <= 0) {
          socket.destroy();
          resolve();
          return;
        }
        sent += batch;
        pending = batch;
        socket.write(request.repeat(batch));
      };
      socket.on('data', (chunk: Buffer) => {
        // Keep the end of the previous chunk: a status line may be split across two.
        const text = tail + chunk.toString('latin1');
        let at = text.indexOf(marker);
        while (at !== -1) {
          pending -= 1;
          answered += 1;
          at = text.indexOf(marker, at + marker.length);
        }
        tail = text.slice(-(marker.length - 1));
        if (pending === 0) next();
      });
      socket.once('error', reject);
      socket.once('connect', next);
    });
  return withTimeout(
    Promise.all(Array.from({ length: connections }, one)).then(() => answered),
    600_000,
    `${total} requests on port ${port} did not finish within 10 minutes`,
  );
}

/**
 * Opens `count` connections, at most `concurrency` at a time; each sends one keep-alive
 * request, reads the answer, and the client closes the socket (as a pool retiring a connection).
 */
export async function churnConnections(port: number, count: number, concurrency: number): Promise<number> {
  let started = 0;
  let failed = 0;
  const worker = async () => {
    while (started < count) {
      started += 1;
      try {
        const socket = await openWithRequest(port, '/');
        socket.destroy();
      } catch {
        failed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return failed;
}

/**
 * Connects, sends `GET path` with keep-alive, and resolves with the socket once the whole
 * response arrived. The socket stays open (idle) for the caller.
 */
export function openWithRequest(port: number, path: string): Promise<Socket> {
  const opening = new Promise<Socket>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (responseComplete(received)) {
        socket.off('data', onData);
        socket.off('error', reject);
        // A reset on an idle socket later must not crash the parent; callers add their own listeners.
        socket.on('error', () => {});
        resolve(socket);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: bench\r\n\r\n`);
  });
  return withTimeout(opening, 30_000, `no answer to GET ${path} on port ${port} within 30 s`);
}

/** True once the headers and the whole body (Content-Length or chunked) have arrived. */
export function responseComplete(raw: string): boolean {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const head = raw.slice(0, end).toLowerCase();
  const body = raw.slice(end + 4);
  const length = /\r\ncontent-length: *(\d+)/.exec(head);
  if (length) return body.length >= Number(length[1]);
  if (head.includes('transfer-encoding: chunked')) return body.endsWith('0\r\n\r\n');
  return false;
}
