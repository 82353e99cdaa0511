/**
 * A worker thread holding the shutdown scenario's idle keep-alive connections. When a server
 * closes a thousand of them at once, reading those FINs takes the client's event loop tens of
 * milliseconds; in the parent's own thread that delayed the moment it saw the child exit, for
 * every variant alike. Here the parent's thread only waits for the exit.
 */
import type { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { openWithRequest } from './load.js';

export interface HolderInput {
  port: number;
  connections: number;
  concurrency: number;
}

/** 'opened' once every connection answered its request; 'closed' with the resets seen, after 'close'. */
export type HolderMessage =
  | { type: 'opened' }
  | { type: 'closed'; resets: number }
  | { type: 'failed'; error: string };

const { port, connections, concurrency } = workerData as HolderInput;
const sockets: Socket[] = [];
let resets = 0;

try {
  for (let opened = 0; opened < connections; opened += concurrency) {
    const batch = Math.min(concurrency, connections - opened);
    const socketsInBatch = await Promise.all(Array.from({ length: batch }, () => openWithRequest(port, '/')));
    for (const socket of socketsInBatch) {
      socket.on('error', () => {
        resets += 1;
      });
      sockets.push(socket);
    }
  }
  parentPort?.postMessage({ type: 'opened' } satisfies HolderMessage);
} catch (error) {
  parentPort?.postMessage({ type: 'failed', error: String(error) } satisfies HolderMessage);
}

parentPort?.on('message', (message: string) => {
  if (message !== 'close') return;
  for (const socket of sockets) socket.destroy();
  parentPort?.postMessage({ type: 'closed', resets } satisfies HolderMessage);
  parentPort?.close();
});
