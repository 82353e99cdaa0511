import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { ServerTracker } from './connections.js';

export interface AcceptQueueReport {
  /** Connections accepted while waiting: they had queued up while the event loop was busy. */
  accepted: number;
  /** Connections still queued when the wait gave up (Linux only; 0 elsewhere): closing the listener resets them. */
  leftQueued: number;
}

/** Event-loop turns in a row that accept nothing before the queue counts as empty. */
const QUIET_TURNS = 3;

/**
 * Accepts the connections waiting in the kernel's accept queue before the listeners close: a
 * busy event loop runs the drain delay's timer late, and closing a listener resets every
 * connection still queued on it. libuv accepts at most one connection per event-loop turn, so
 * this yields turn after turn (setImmediate: each one passes through the poll phase) until
 * QUIET_TURNS turns accept nothing; at most `limitMs`. When it did find a backlog, it also asks
 * the kernel (Linux) whether the queue is empty before it stops: reading /proc/net/tcp takes
 * milliseconds to a hundred, too slow for a shutdown with nothing queued, which is the usual one.
 */
export async function acceptQueued(
  servers: readonly ServerTracker[],
  now: () => number,
  signal: AbortSignal,
  limitMs: number,
  queued: (servers: readonly ServerTracker[]) => Promise<number | undefined> = queuedInKernel,
): Promise<AcceptQueueReport> {
  const accepted = () => servers.reduce((total, server) => total + server.accepted, 0);
  const first = accepted();
  const until = now() + limitMs;
  let seen = first;
  let quietTurns = 0;
  for (;;) {
    if (signal.aborted || now() >= until) {
      const left = seen > first ? await queued(servers) : 0;
      return { accepted: accepted() - first, leftQueued: left ?? 0 };
    }
    await new Promise((resolve) => setImmediate(resolve));
    const count = accepted();
    if (count !== seen) {
      seen = count;
      quietTurns = 0;
      continue;
    }
    quietTurns += 1;
    if (quietTurns < QUIET_TURNS) continue;
    // Read without blocking: the loop goes on accepting meanwhile.
    if (seen === first || ((await queued(servers)) ?? 0) === 0) {
      return { accepted: accepted() - first, leftQueued: 0 };
    }
    seen = accepted();
    quietTurns = 0;
  }
}

/**
 * How many connections wait in the accept queues of these servers' listening sockets, from
 * /proc/net/tcp and tcp6 (for a listening socket, rx_queue is its accept-queue length).
 * Undefined where there is no /proc (not Linux) or nothing to look up.
 */
export async function queuedInKernel(servers: readonly ServerTracker[]): Promise<number | undefined> {
  const ports = new Set<string>();
  for (const { server } of servers) {
    const address = server.address() as AddressInfo | string | null;
    if (address !== null && typeof address === 'object') {
      ports.add(address.port.toString(16).toUpperCase().padStart(4, '0'));
    }
  }
  if (ports.size === 0) return undefined;
  let total = 0;
  let read = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(file, 'latin1');
    } catch {
      continue;
    }
    read = true;
    total += countQueued(text, ports);
  }
  return read ? total : undefined;
}

/** Sums rx_queue over the LISTEN (0A) lines of a /proc/net/tcp text whose local port is in `ports` (hex). */
export function countQueued(text: string, ports: ReadonlySet<string>): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    if (fields[3] !== '0A' || local === undefined) continue;
    if (!ports.has(local.slice(local.lastIndexOf(':') + 1))) continue;
    const rxQueue = fields[4]?.split(':')[1];
    if (rxQueue !== undefined) total += Number.parseInt(rxQueue, 16) || 0;
  }
  return total;
}
