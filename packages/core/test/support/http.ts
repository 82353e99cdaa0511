// Small helpers for in-process tests with real servers on 127.0.0.1:0 and real clients.

import { readFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import type { Http2SecureServer, Http2Server } from 'node:http2';
import type { Server as HttpsServer } from 'node:https';
import { connect, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { request, type SimpleResponse } from 'lameduck-test-utils';

type AnyServer = Server | HttpsServer | Http2Server | Http2SecureServer;

const tlsDir = new URL('../fixtures/tls/', import.meta.url);
/** A self-signed certificate for localhost, for tests only. */
export const testTls = {
  key: readFileSync(new URL('localhost-key.pem', tlsDir)),
  cert: readFileSync(new URL('localhost-cert.pem', tlsDir)),
};

export async function listen(server: AnyServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return address.port;
}

/** Closes a server and every connection it still has; for afterEach. */
export async function closeHard(server: AnyServer): Promise<void> {
  const http = server as { closeAllConnections?: () => void };
  http.closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A request to 127.0.0.1:port on a connection of its own (unless given an agent), no client timeout. */
export function get(
  port: number,
  path = '/',
  options: { agent?: Agent | false; method?: string; headers?: Record<string, string> } = {},
): Promise<SimpleResponse> {
  return request(`http://127.0.0.1:${port}`, {
    ...options,
    path,
    agent: options.agent ?? false,
    timeoutMs: 0,
  });
}

/** A raw TCP connection that sends nothing until told to. */
export async function connectRaw(port: number): Promise<Socket & { whenClosed: Promise<void> }> {
  const socket = connect(port, '127.0.0.1') as Socket & { whenClosed: Promise<void> };
  socket.on('error', () => {});
  socket.whenClosed = new Promise((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return socket;
}

/** Polls `condition` every 10 ms until true, or fails after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${condition}`);
    await sleep(10);
  }
}
