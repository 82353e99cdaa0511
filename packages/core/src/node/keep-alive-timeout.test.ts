import { createServer, type Server } from 'node:http';
import { createSecureServer } from 'node:http2';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as connectTls } from 'node:tls';
import { reuseAfterIdle } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHard, connectRaw, listen } from '../../test/support/http.js';
import { recordingLogger } from '../../test/support/logger.js';
import { createNodeLameduck, type NodeLameduck } from './node-lameduck.js';

const created: NodeLameduck[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const lameduck of created.splice(0)) lameduck.dispose();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function make(options: Parameters<typeof createNodeLameduck>[0] = {}): NodeLameduck {
  const lameduck = createNodeLameduck({ logger: false, signals: false, env: false, ...options });
  created.push(lameduck);
  return lameduck;
}

/**
 * Answers every request; headersTimeout and requestTimeout short and checked often, to show they
 * do not cut a kept-alive socket waiting for its next request (Node 18+ runs them only while a
 * request is arriving).
 */
function server(): Server {
  const created = createServer(
    { headersTimeout: 1_000, requestTimeout: 2_000, connectionsCheckingInterval: 200 },
    (request, response) => {
      request.resume();
      request.on('end', () => response.end('ok'));
    },
  );
  cleanups.push(() => closeHard(created));
  return created;
}

const REQUEST = 'POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}';

describe('keep-alive timeout: attach() raises it above the proxies in front', () => {
  // Regression (issue 24): Node's 5 s default (the socket closes 1 s after the hint: ~6 s idle,
  // Node 20 and 26.10) closes a pooled connection an ingress still holds and writes to (a 502).
  it('answers a request on a pooled socket after 6.5 s idle; a bare Node server has closed it', async () => {
    const bare = server();
    const attached = make().attach(server());
    const [barePort, attachedPort] = [await listen(bare), await listen(attached)];
    const [onBare, onAttached] = await Promise.all([
      reuseAfterIdle(barePort, 6_500),
      reuseAfterIdle(attachedPort, 6_500),
    ]);
    expect(bare.keepAliveTimeout).toBe(5_000);
    expect(onBare).toBe('closed by the server');
    expect(attached.keepAliveTimeout).toBe(65_000);
    expect(onAttached).toBe('answered');
  }, 20_000);

  it("keeps a server's own longer timeout (a framework's), and says so", () => {
    const { logger, lines } = recordingLogger({ dropPrefix: true });
    const lameduck = make({ logger });
    const longer = server();
    longer.keepAliveTimeout = 72_000;
    const never = server();
    never.keepAliveTimeout = 0;
    lameduck.attach(longer);
    lameduck.attach(never);
    expect(longer.keepAliveTimeout).toBe(72_000);
    expect(never.keepAliveTimeout).toBe(0);
    expect(lines).toEqual([
      "info keep-alive timeout 72000 ms: the server's own (the framework's), kept because it is longer than lameduck's default 65000 ms",
      "info keep-alive timeout 0 (never closes idle connections): the server's own (the framework's), kept because it is longer than lameduck's default 65000 ms",
    ]);
  });

  it("applies a timeout set in code or in the environment as it is, lower than the server's too", () => {
    const fromCode = server();
    fromCode.keepAliveTimeout = 72_000;
    make({ keepAliveTimeoutMs: 30_000 }).attach(fromCode);
    expect(fromCode.keepAliveTimeout).toBe(30_000);

    const fromEnv = server();
    const lameduck = make({ keepAliveTimeoutMs: 30_000, env: { LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS: '620000' } });
    lameduck.attach(fromEnv);
    expect(fromEnv.keepAliveTimeout).toBe(620_000);
    expect(lameduck.settings).toMatchObject({
      keepAliveTimeoutMs: 620_000,
      keepAliveTimeoutSource: 'environment',
    });
  });

  it('says the value and its source on the startup line', () => {
    const { logger, lines } = recordingLogger({ dropPrefix: true });
    make({ logger, signals: ['SIGTERM'] });
    make({ logger, signals: ['SIGTERM'], keepAliveTimeoutMs: 90_000 });
    make({ logger, signals: ['SIGTERM'], env: { LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS: '0' } });
    expect(lines.map((line) => line.replace(/.*, keep-alive timeout /, ''))).toEqual([
      "65000 ms (lameduck's default; a server's own longer one is kept)",
      '90000 ms (keepAliveTimeoutMs)',
      '0 ms (LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS)',
    ]);
  });

  it.each([
    [
      { keepAliveTimeoutMs: 65 },
      /keepAliveTimeoutMs must be 0 \(never close idle connections\) or 1000 to 2147482647 ms, got 65;/,
    ],
    [
      { env: { LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS: '500' } },
      /LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS must be 0 .* got 500;/,
    ],
    [
      { env: { LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS: '65s' } },
      /^LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS must be a whole number of milliseconds from 0 to 2147482647, got "65s"; write it in milliseconds, without a unit: LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS=65000$/,
    ],
  ])('refuses %o at startup in one line', (options, message) => {
    expect(() => make(options)).toThrow(message);
  });

  it('applies it to the HTTP/1 side of an HTTP/2 server that allows HTTP/1', async () => {
    const { testTls } = await import('../../test/support/http.js');
    const h2 = createSecureServer({ ...testTls, allowHTTP1: true }, (_request, response) =>
      response.end('ok'),
    );
    cleanups.push(() => closeHard(h2));
    // Short, to see Node honour it there: the socket closes about 1 s after the timeout.
    make({ keepAliveTimeoutMs: 1_000 }).attach(h2);
    expect((h2 as unknown as { keepAliveTimeout: number }).keepAliveTimeout).toBe(1_000);
    const port = await listen(h2);
    const tls = connectTls({
      port,
      host: '127.0.0.1',
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    tls.on('error', () => {});
    const closed = new Promise((resolve) => tls.once('close', resolve));
    let answer = '';
    tls.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    await new Promise((resolve) => tls.once('secureConnect', resolve));
    tls.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const startedAt = performance.now();
    await closed;
    expect(answer).toMatch(/Keep-Alive: timeout=1\r\n/);
    expect(performance.now() - startedAt).toBeLessThan(5_000);

    const byDefault = createSecureServer({ ...testTls, allowHTTP1: true });
    make().attach(byDefault);
    expect((byDefault as unknown as { keepAliveTimeout: number }).keepAliveTimeout).toBe(65_000);
  }, 10_000);

  // The drain closes idle sockets itself: a 65 s timeout must not hold the exit.
  it('does not lengthen the shutdown: idle kept-alive sockets close when the listener does', async () => {
    const lameduck = make({ drainDelayMs: 0, idleGraceMs: 0 });
    const attached = lameduck.attach(server());
    const port = await listen(attached);
    const sockets = await Promise.all(Array.from({ length: 20 }, () => connectRaw(port)));
    let answers = 0;
    for (const socket of sockets) {
      socket.on('data', () => answers++);
      socket.write(REQUEST);
    }
    while (answers < sockets.length) await sleep(10);
    const startedAt = performance.now();
    const result = await lameduck.shutdown();
    await Promise.all(sockets.map((socket) => socket.whenClosed));
    expect(result.exitCode).toBe(0);
    expect(performance.now() - startedAt).toBeLessThan(2_000);
  });
});
