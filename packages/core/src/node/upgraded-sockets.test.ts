import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { closeHard, connectRaw, listen, until } from '../../test/support/http.js';
import { recordingLogger } from '../../test/support/logger.js';
import { createNodeLameduck } from './node-lameduck.js';
import { resolveNodeOptions } from './options.js';
import { closeFrame, closeSpread, type WebSocketLike } from './upgraded-sockets.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An attached server with a ws WebSocketServer on it (told to lameduck or not). */
async function service(options: { register: boolean; spreadMs?: number; drainTimeoutMs?: number }) {
  const { logger, lines } = recordingLogger({ dropPrefix: true });
  const lameduck = createNodeLameduck({
    logger,
    signals: false,
    env: false,
    drainTimeoutMs: options.drainTimeoutMs ?? 5000,
    webSocketCloseSpreadMs: options.spreadMs ?? 0,
  });
  const server = lameduck.attach(createServer((_request, response) => response.end('ok')));
  const wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => socket.send('hello'));
  if (options.register) lameduck.websockets(wss);
  const port = await listen(server);
  lameduck.ready();
  cleanups.push(
    () => lameduck.dispose(),
    () => wss.close(),
    () => (server.listening ? closeHard(server) : undefined),
  );
  return { lameduck, port, lines };
}

async function client(port: number) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/`);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  await new Promise((resolve, reject) => {
    socket.once('message', resolve);
    socket.once('error', reject);
  });
  // Wrapped: an async function returning the promise itself would wait for the close.
  return { closed };
}

describe('closeFrame', () => {
  it('is an unmasked RFC 6455 close frame: FIN + opcode 8, length, code, reason', () => {
    expect([...closeFrame(1001, 'going away')]).toEqual([0x88, 12, 0x03, 0xe9, ...Buffer.from('going away')]);
  });

  it('keeps a control frame within 125 bytes, whatever the reason', () => {
    expect(closeFrame(1001, 'x'.repeat(500)).length).toBe(127);
  });
});

describe('WebSockets at the drain', () => {
  it('a registered ws server: every client gets 1001 "going away" through ws, clean drain', async () => {
    const { lameduck, port, lines } = await service({ register: true });
    const clients = await Promise.all([client(port), client(port), client(port)]);
    const result = await lameduck.shutdown();
    expect(await Promise.all(clients.map((entry) => entry.closed))).toEqual(
      Array(3).fill({ code: 1001, reason: 'going away' }),
    );
    expect(result).toMatchObject({ exitCode: 0, forced: false, destroyedConnections: 0 });
    expect(lines.some((line) => line.includes('closing 3 WebSocket(s) with code 1001'))).toBe(true);
  });

  it('an unregistered ws server: lameduck writes the 1001 close frame itself, clean drain', async () => {
    const { lameduck, port } = await service({ register: false });
    const clients = await Promise.all([client(port), client(port)]);
    const result = await lameduck.shutdown();
    expect(await Promise.all(clients.map((entry) => entry.closed))).toEqual(
      Array(2).fill({ code: 1001, reason: 'going away' }),
    );
    expect(result).toMatchObject({ exitCode: 0, forced: false, destroyedConnections: 0 });
  });

  it('an upgrade not answered yet gets no close frame (it would be garbage before the 101), only a FIN', async () => {
    const { server, port } = await createPending().lameduck;
    const socket = await connectRaw(port);
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
    });
    socket.write(
      'GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await until(() => server.pending.length === 1);
    const result = await server.lameduck.shutdown();
    await socket.whenClosed;
    expect(received).toBe('');
    expect(result).toMatchObject({ exitCode: 0, forced: false });
  });

  it('with an onUpgradedSockets hook, the hook owns the unregistered sockets: lameduck writes nothing', async () => {
    const { logger } = recordingLogger({ dropPrefix: true });
    const lameduck = createNodeLameduck({ logger, signals: false, env: false, drainTimeoutMs: 5000 });
    const server = lameduck.attach(createServer());
    const wss = new WebSocketServer({ server });
    wss.on('connection', (socket) => socket.send('hello'));
    const handed: number[] = [];
    lameduck.onUpgradedSockets('own goodbye', (sockets) => {
      handed.push(sockets.length);
      for (const client of wss.clients) client.close(4000, 'mine');
    });
    const port = await listen(server);
    cleanups.push(
      () => lameduck.dispose(),
      () => wss.close(),
    );
    const { closed } = await client(port);
    const result = await lameduck.shutdown();
    expect(await closed).toEqual({ code: 4000, reason: 'mine' });
    expect(handed).toEqual([1]);
    expect(result.exitCode).toBe(0);
  });
});

/** A server whose upgrade handler holds the socket without answering (an async verifyClient). */
function createPending() {
  return {
    lameduck: (async () => {
      const lameduck = createNodeLameduck({
        logger: false,
        signals: false,
        env: false,
        drainTimeoutMs: 3000,
      });
      const server = Object.assign(lameduck.attach(createServer()), {
        lameduck,
        pending: [] as { request: IncomingMessage; socket: Duplex }[],
      });
      server.on('upgrade', (request: IncomingMessage, socket: Duplex) =>
        server.pending.push({ request, socket }),
      );
      const port = await listen(server);
      cleanups.push(() => lameduck.dispose());
      return { server, port };
    })(),
  };
}

describe('closeSpread', () => {
  it('spreads the closes evenly over the window, the first at once', async () => {
    const closedAt: number[] = [];
    const startedAt = performance.now();
    const clients: WebSocketLike[] = Array.from({ length: 5 }, () => ({
      readyState: 1,
      close(code) {
        expect(code).toBe(1001);
        closedAt.push(performance.now() - startedAt);
      },
    }));
    const sent = await closeSpread({ clients, raw: [], others: [] }, 400);
    expect(sent).toBe(5);
    expect(closedAt[0]).toBeLessThan(50);
    // 0, 80, 160, 240, 320 ms: timers never fire early, and a busy machine fires them late.
    for (const [index, ms] of closedAt.entries()) expect(ms).toBeGreaterThanOrEqual(index * 80 - 2);
    expect(closedAt[4]).toBeLessThan(320 + 300);
  });

  it('stops at once when the drain is forced', async () => {
    const stop = new AbortController();
    let closed = 0;
    const clients: WebSocketLike[] = Array.from({ length: 3 }, () => ({
      readyState: 1,
      close() {
        closed += 1;
      },
    }));
    const sending = closeSpread({ clients, raw: [], others: [] }, 10_000, stop.signal);
    stop.abort();
    expect(await sending).toBe(1);
    expect(closed).toBe(1);
  });
});

describe('webSocketCloseSpreadMs', () => {
  const resolve = (options: Record<string, unknown>, env: Record<string, string> = {}) =>
    resolveNodeOptions(options, env);

  it('defaults to a quarter of the drain timeout', () => {
    expect(resolve({ drainTimeoutMs: 8000 }).settings.webSocketCloseSpreadMs).toBe(2000);
  });

  it('is cut to half the drain timeout, with one warning naming the fix', () => {
    const { settings, warnings } = resolve({ drainTimeoutMs: 4000, webSocketCloseSpreadMs: 3000 });
    expect(settings.webSocketCloseSpreadMs).toBe(2000);
    expect(warnings).toEqual([
      expect.stringMatching(/^webSocketCloseSpreadMs 3000 ms is more than half .* Fix: lower it to 2000/),
    ]);
  });

  it('LAMEDUCK_WEBSOCKET_CLOSE_SPREAD_MS wins over the option; a bad value names the variable', () => {
    expect(
      resolve({ webSocketCloseSpreadMs: 100 }, { LAMEDUCK_WEBSOCKET_CLOSE_SPREAD_MS: '700' }).settings
        .webSocketCloseSpreadMs,
    ).toBe(700);
    expect(() => resolve({}, { LAMEDUCK_WEBSOCKET_CLOSE_SPREAD_MS: '2s' })).toThrow(
      /LAMEDUCK_WEBSOCKET_CLOSE_SPREAD_MS must be a whole number of milliseconds/,
    );
  });

  it('websockets() refuses something that is not a WebSocketServer in one line', () => {
    const lameduck = createNodeLameduck({ logger: false, signals: false, env: false });
    cleanups.push(() => lameduck.dispose());
    expect(() => lameduck.websockets({} as never)).toThrow(/^websockets\(\) takes a ws WebSocketServer/);
  });
});
