import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const POST = 'POST /orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}';

/**
 * A pooled upstream connection as a proxy keeps one (ingress-nginx, an ALB): a raw socket, one
 * POST, an idle gap of `idleMs`, then the next POST on the same socket. A raw socket because
 * Node's own agent stops reusing a socket 1 s before the server's `Keep-Alive: timeout=` hint,
 * so a Node client never meets the server closing it. Resolves with what the second POST got.
 */
export async function reuseAfterIdle(
  port: number,
  idleMs: number,
): Promise<'answered' | 'closed by the server'> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let received = '';
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
  });
  socket.once('close', () => {
    closed = true;
  });
  const answers = () => received.split(/HTTP\/1\.1 \d{3} /).length - 1;
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(POST);
  while (answers() < 1 && !closed) await sleep(10);
  await sleep(idleMs);
  if (!closed) socket.write(POST);
  while (answers() < 2 && !closed) await sleep(10);
  socket.destroy();
  return answers() === 2 ? 'answered' : 'closed by the server';
}
