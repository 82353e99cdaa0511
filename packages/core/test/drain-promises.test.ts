import { Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { killAllChildren, spawnNode } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { logLines, startFixture } from './support/fixture.js';
import { connectRaw, get } from './support/http.js';

// What lameduck promises about HTTP/1 connections through a drain, on real processes with real
// signals and raw sockets (a client library would hide what the server really sent).

afterEach(() => killAllChildren());

const request = (path: string) => `GET ${path} HTTP/1.1\r\nHost: fixture\r\n\r\n`;

/** Everything a raw socket receives until it closes, and how it closed. */
function collect(socket: Socket): Promise<{ text: string; error?: string }> {
  let text = '';
  let error: string | undefined;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    text += chunk;
  });
  socket.on('error', (caught: NodeJS.ErrnoException) => {
    error = caught.code ?? caught.message;
  });
  return new Promise((resolve) => socket.once('close', () => resolve({ text, ...(error ? { error } : {}) })));
}

const statusLines = (text: string) => text.match(/HTTP\/1\.1 \d{3}[^\r]*/g) ?? [];

describe('HTTP/1 drain promises', () => {
  it('a keep-alive response that ends after the listener closed: the next request on its socket is answered with Connection: close', async () => {
    const child = await startFixture('drain-server.mjs', { DRAIN_DELAY_MS: '100' });
    const socket = await connectRaw(child.port);
    let text = '';
    let secondSent = false;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      // The client reuses the socket the moment the first response is complete, as agents do.
      if (!secondSent && text.includes('finished\n\r\n0\r\n\r\n')) {
        secondSent = true;
        socket.write(request('/'));
      }
    });
    socket.write(request('/stream?ms=600'));
    await sleep(100); // the headers (keep-alive) left before the drain
    expect(text).toMatch(/Connection: keep-alive/);
    child.signal('SIGTERM');
    await socket.whenClosed;
    expect(secondSent).toBe(true);
    const statuses = statusLines(text);
    expect(statuses).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 200 OK']);
    expect(text.slice(text.lastIndexOf('HTTP/1.1'))).toMatch(/Connection: close\r\n/);
    expect((await child.exited).code).toBe(0);
  });

  it('five pipelined requests, SIGTERM while the first runs: all five are answered, exit 0', async () => {
    const child = await startFixture('drain-server.mjs');
    const socket = await connectRaw(child.port);
    const received = collect(socket);
    socket.write(request('/slow?ms=500') + request('/').repeat(4));
    await child.waitForEvent('slow-started');
    child.signal('SIGTERM');
    const { text } = await received;
    expect(statusLines(text)).toHaveLength(5);
    expect(text).toMatch(/slept 500 ms\n/);
    expect(text.match(/ok\n/g)).toHaveLength(4);
    expect((await child.exited).code).toBe(0);
  });

  it('five pipelined requests, SIGTERM while the first runs: only the last response says Connection: close, and the socket closes after it', async () => {
    const child = await startFixture('drain-server.mjs', { DRAIN_DELAY_MS: '300' });
    const socket = await connectRaw(child.port);
    const received = collect(socket);
    // The four fast answers are ready (their headers built, keep-alive) while they wait behind
    // the slow one: the drain starts after that.
    socket.write(request('/slow?ms=600') + request('/').repeat(4));
    await child.waitForEvent('slow-started');
    await sleep(100);
    child.signal('SIGTERM');
    const { text } = await received;
    const connectionHeaders = text.match(/\r\nConnection: [^\r]*/g)?.map((line) => line.slice(2));
    expect(connectionHeaders).toEqual([
      'Connection: keep-alive',
      'Connection: keep-alive',
      'Connection: keep-alive',
      'Connection: keep-alive',
      'Connection: close',
    ]);
    expect(text.slice(text.lastIndexOf('HTTP/1.1'))).not.toMatch(/Keep-Alive:/i);
    expect((await child.exited).code).toBe(0);
  });

  it('a pipelined request after a response that already said Connection: close is counted; exit 1', async () => {
    const child = await startFixture('drain-server.mjs', { DRAIN_DELAY_MS: '600' });
    child.signal('SIGTERM');
    await child.waitForLine(/"to":"draining"/);
    const socket = await connectRaw(child.port);
    const received = collect(socket);
    // The first response's headers (Connection: close, draining) leave before the second
    // request is read: nothing can answer it any more.
    socket.write(request('/stream?ms=200') + request('/'));
    const { text } = await received;
    expect(statusLines(text)).toEqual(['HTTP/1.1 200 OK']);
    expect(text).toMatch(/Connection: close\r\n/);
    expect((await child.exited).code).toBe(1);
    expect(logLines(child)).toContainEqual(
      expect.stringMatching(/1 pipelined request\(s\) could not be answered/),
    );
  });

  it('connections queued in the accept backlog while the event loop was busy are answered, not reset', async () => {
    const child = await startFixture('drain-server.mjs', { DRAIN_DELAY_MS: '300' });
    child.signal('SIGTERM');
    await child.waitForLine(/"to":"draining"/);
    // Blocks the child's event loop for 2 s: the 300 ms drain-delay timer fires late, right
    // after the block, before Node has accepted the connections made meanwhile.
    const blocking = get(child.port, '/block?ms=2000');
    let blockAnswered = false;
    void blocking.then(() => {
      blockAnswered = true;
    });
    await child.waitForEvent('block-started');
    const sockets = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const socket = connect(child.port, '127.0.0.1');
        const received = collect(socket);
        await new Promise((resolve) => socket.once('connect', resolve));
        socket.write(request('/'));
        return { received };
      }),
    );
    expect(blockAnswered).toBe(false); // every connection was made while the loop was blocked
    const results = await Promise.all(sockets.map((socket) => socket.received));
    expect((await blocking).status).toBe(200);
    const failed = results.filter((result) => result.error !== undefined);
    expect(failed, logLines(child).join('\n')).toEqual([]);
    expect(results.map((result) => statusLines(result.text).length)).toEqual(Array(50).fill(1));
    expect(results.every((result) => /Connection: close\r\n/.test(result.text))).toBe(true);
    expect((await child.exited).code).toBe(0);
  });

  it('deadlineSignal aborts before the connections are destroyed: a handler listening to it still answers', async () => {
    const child = await startFixture('drain-server.mjs', { DRAIN_DELAY_MS: '0', DRAIN_TIMEOUT_MS: '400' });
    const reply = get(child.port, '/until-deadline').catch((error: unknown) => error);
    await child.waitForEvent('waiting-for-deadline');
    child.signal('SIGTERM');
    expect(await reply).toMatchObject({
      status: 200,
      body: 'stopped at the deadline\n',
      headers: { connection: 'close' },
    });
    expect((await child.exited).code).toBe(1); // the deadline was reached: forced
    expect(logLines(child)).toContainEqual(
      expect.stringMatching(/^error drain timeout of 400 ms reached: .*destroyed 0 connection\(s\)/),
    );
  });
});

describe('the idle grace', () => {
  it('keep-alive sockets quiet for longer than idleGraceMs are closed at once: exit right after the in-flight request', async () => {
    const child = await startFixture('drain-server.mjs', { IDLE_GRACE_MS: '300' });
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    await Promise.all(Array.from({ length: 20 }, () => get(child.port, '/', { agent })));
    await sleep(600); // quiet for twice the grace
    const inFlight = get(child.port, '/slow?ms=300');
    await child.waitForEvent('slow-started');
    const signalledAt = performance.now();
    child.signal('SIGTERM');
    expect((await inFlight).status).toBe(200);
    expect((await child.exited).code).toBe(0);
    // Not the 300 ms grace on top of the request: generous bound for a busy machine.
    expect(performance.now() - signalledAt).toBeLessThan(3000);
    expect(logLines(child)).toContainEqual(
      expect.stringMatching(
        /closed 20 idle connection\(s\), 0 recently active idle connection\(s\) get up to 300 ms/,
      ),
    );
    agent.destroy();
  });
});

describe('startup and timers', () => {
  it('a server started after SIGTERM joins the shutdown: listen() resolves, the listener is closed, exit 0', async () => {
    const child = spawnNode(fileURLToPath(new URL('./fixtures/late-attach.mjs', import.meta.url)), {
      env: { DRAIN_DELAY_MS: '1000' },
    });
    await child.waitForEvent('starting');
    child.signal('SIGTERM');
    const settled = await child.waitForLine(/"event":"listen-(resolved|failed)"/);
    expect(JSON.parse(settled)).toMatchObject({ event: 'listen-resolved', listening: false });
    expect((await child.exited).code).toBe(0);
  });

  it('with exitOnSignal: false, the process ends as soon as the drain is done, not at the drain timeout', async () => {
    const child = await startFixture('drain-server.mjs', { EXIT_ON_SIGNAL: 'false' });
    await get(child.port, '/');
    const signalledAt = performance.now();
    child.signal('SIGTERM');
    await child.waitForLine(/shutdown complete/);
    await child.exited;
    // Nothing is left to keep the event loop alive; the 20 s drain timeout must not be.
    expect(performance.now() - signalledAt).toBeLessThan(8000);
  });
});
