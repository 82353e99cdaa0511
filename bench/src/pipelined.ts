import { connect, type Socket } from 'node:net';
import { percentile } from '../../packages/cli/src/drill/percentile.js';
import type { LoadResult } from './load.js';

export interface PipelinedOptions {
  connections: number;
  /** Requests written at once on each connection; the next batch goes when all are answered. */
  depth: number;
  /** Run for this long (seconds)… */
  durationS?: number;
  /** …or until this many requests have been answered. */
  amount?: number;
  /** Record every response's time (from its batch's write) for percentiles. Default true. */
  latencies?: boolean;
}

const MARKER = Buffer.from('HTTP/1.1 ');
/** The marker and the status code's first digit: what a split across two chunks must keep. */
const CARRY = MARKER.length + 1;
const TWO = '2'.charCodeAt(0);

/**
 * Keep-alive load for `GET path`: `depth` requests pipelined per write on each connection, the
 * answers counted by their status lines in the raw bytes. autocannon parses every response and
 * needs most of a CPU to keep a node:http hello world 60–70% busy; this needs a few hundred
 * nanoseconds a response, so that one CPU of load generator saturates one CPU of server and the
 * server, not the generator, sets the pace. Only for servers that answer with bodies free of the
 * text `HTTP/1.1 ` (the bench's hello worlds and probes).
 */
export function pipelinedLoad(port: number, path: string, options: PipelinedOptions): Promise<LoadResult> {
  const batch = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: bench\r\n\r\n`.repeat(options.depth));
  const recordTimes = options.latencies !== false;
  const times: number[] = [];
  const started = performance.now();
  const until =
    options.durationS === undefined ? Number.POSITIVE_INFINITY : started + options.durationS * 1000;
  const amount = options.amount ?? Number.POSITIVE_INFINITY;
  let sent = 0;
  let answered = 0;
  let non2xx = 0;
  let errors = 0;
  const sockets: Socket[] = [];

  const one = () =>
    new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      sockets.push(socket);
      socket.setNoDelay(true);
      let pending = 0;
      let sentAt = 0;
      let carry: Buffer | undefined;
      const next = () => {
        if (performance.now() >= until || sent >= amount) {
          socket.destroy();
          resolve();
          return;
        }
        const count = Math.min(options.depth, amount - sent);
        sent += count;
        pending = count;
        sentAt = performance.now();
        socket.write(
          count === options.depth ? batch : batch.subarray(0, (batch.length / options.depth) * count),
        );
      };
      const count = (chunk: Buffer, from: number, at: number) => {
        let index = chunk.indexOf(MARKER, from);
        while (index !== -1 && index + CARRY <= chunk.length) {
          pending -= 1;
          answered += 1;
          if (chunk[index + MARKER.length] !== TWO) non2xx += 1;
          if (recordTimes) times.push(at - sentAt);
          index = chunk.indexOf(MARKER, index + MARKER.length);
        }
        return index;
      };
      socket.on('data', (chunk: Buffer) => {
        const at = performance.now();
        if (carry !== undefined) {
          // A status line split across two chunks: look at the seam only.
          // Only a line that starts in the carried bytes: one wholly in this chunk is counted below.
          const seam = Buffer.concat([carry, chunk.subarray(0, CARRY)]);
          const found = seam.indexOf(MARKER);
          if (found !== -1 && found < carry.length && found + CARRY <= seam.length) {
            pending -= 1;
            answered += 1;
            if (seam[found + MARKER.length] !== TWO) non2xx += 1;
            if (recordTimes) times.push(at - sentAt);
          }
          carry = undefined;
        }
        const last = count(chunk, 0, at);
        // Keep the tail only when it may hold the start of a status line.
        const tailFrom = last !== -1 ? last : Math.max(0, chunk.length - CARRY + 1);
        if (last !== -1 || chunk.subarray(tailFrom).includes(MARKER[0] as number)) {
          carry = Buffer.from(chunk.subarray(tailFrom));
        }
        if (pending === 0) next();
      });
      socket.once('error', () => {
        errors += 1;
        resolve();
      });
      socket.once('close', () => resolve());
      socket.once('connect', next);
    });

  const limitMs = (options.durationS ?? 0) * 1000 + 60_000;
  let watchdog: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_resolve, reject) => {
    watchdog = setTimeout(() => {
      for (const socket of sockets) socket.destroy();
      reject(new Error(`load on port ${port} did not finish within ${limitMs} ms`));
    }, limitMs);
  });
  const run = Promise.all(Array.from({ length: options.connections }, one)).then(() => {
    const elapsedMs = performance.now() - started;
    times.sort((a, b) => a - b);
    return {
      requests: answered,
      elapsedMs,
      requestsPerSec: answered / (elapsedMs / 1000),
      p50Ms: percentile(times, 0.5) ?? Number.NaN,
      p99Ms: percentile(times, 0.99) ?? Number.NaN,
      errors,
      non2xx,
    } satisfies LoadResult;
  });
  return Promise.race([run, limit]).finally(() => clearTimeout(watchdog));
}
