import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect as connectHttp2, createServer as createHttp2Server, createSecureServer } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as connectTls } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHard, connectRaw, get, listen, testTls, until } from '../../test/support/http.js';
import { DEFAULT_IDLE_GRACE_MS, ServerTracker } from './connections.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** Answers /slow?ms=N after N ms, everything else at once. */
const handler: Handler = (request, response) => {
  const ms = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('ms') ?? 0);
  setTimeout(() => response.end('done'), ms);
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function trackedHttp(handle: Handler = handler) {
  const server = createServer(handle);
  const tracker = new ServerTracker(server, 'http');
  const port = await listen(server);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  cleanups.push(
    () => closeHard(server),
    () => agent.destroy(),
  );
  return { server, tracker, port, agent };
}

describe('ServerTracker (HTTP/1)', () => {
  it('counts connections and requests in flight; a keep-alive socket between requests is idle', async () => {
    const { tracker, port, agent } = await trackedHttp();
    expect(await get(port, '/', { agent })).toMatchObject({
      status: 200,
      headers: { connection: 'keep-alive' },
    });
    expect(tracker.connections).toBe(1);
    expect(tracker.inFlight).toBe(0);
    const slow = get(port, '/slow?ms=200', { agent });
    await until(() => tracker.inFlight === 1);
    await slow;
    expect(tracker.inFlight).toBe(0);
    expect(tracker.connections).toBe(1);
  });

  it('adds no listener to the server or to any response: the per-request cost is connection state only', async () => {
    const finishListeners: number[] = [];
    const { server, tracker, port, agent } = await trackedHttp((_request, response) => {
      finishListeners.push(response.listenerCount('finish'));
      response.end('ok');
    });
    expect(server.listenerCount('request')).toBe(1);
    await get(port, '/', { agent });
    await get(port, '/', { agent });
    tracker.startDraining();
    await get(port, '/', { agent });
    // Node's own finish listener (the one that frees the socket for the next response), none of ours.
    expect(finishListeners).toEqual([1, 1, 1]);
    expect(server.listenerCount('request')).toBe(1);
  });

  it('counts the requests Node answers itself (503 past maxRequestsPerSocket) and closes after them', async () => {
    const { server, tracker, port } = await trackedHttp();
    server.maxRequestsPerSocket = 1;
    const socket = await connectRaw(port);
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk;
    });
    // Pipelined: the second one is past the limit, and Node answers it 503 without the app.
    socket.write('GET /slow?ms=100 HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => tracker.inFlight === 2);
    expect(tracker.stopAccepting()).toMatchObject({ busy: 1 });
    await socket.whenClosed;
    expect(received).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*done[\s\S]*HTTP\/1\.1 503 /);
    expect(tracker.inFlight).toBe(0);
    await tracker.whenEmpty();
  });

  it('while draining, every response says Connection: close, also one already in progress', async () => {
    const { tracker, port, agent } = await trackedHttp();
    await get(port, '/', { agent }); // a keep-alive socket, now idle
    const inProgress = get(port, '/slow?ms=150', { agent: new Agent({ keepAlive: true }) });
    await until(() => tracker.inFlight === 1);
    tracker.startDraining();
    const next = await get(port, '/', { agent });
    expect(next.headers.connection).toBe('close');
    expect((await inProgress).headers.connection).toBe('close');
    await until(() => tracker.connections === 0);
  });

  it('keeps Connection: close when an error handler strips every header (as Koa does)', async () => {
    const { tracker, port } = await trackedHttp((_request, response) => {
      setTimeout(() => {
        for (const name of response.getHeaderNames()) response.removeHeader(name);
        response.statusCode = 500;
        response.end('error page');
      }, 100);
    });
    const reply = get(port, '/', { agent: new Agent({ keepAlive: true }) });
    await until(() => tracker.inFlight === 1);
    tracker.startDraining();
    expect(await reply).toMatchObject({ status: 500, headers: { connection: 'close' } });
  });

  it('gives a socket active a moment ago time for one last request, answered with Connection: close', async () => {
    const { tracker, port, agent } = await trackedHttp();
    await get(port, '/', { agent });
    const report = tracker.stopAccepting();
    expect(report).toMatchObject({ idleClosed: 0, idleInGrace: 1 });
    // The client's next request arrives just after the listener closed, on the same socket:
    // closing idle sockets at once would reset it (ECONNRESET).
    await new Promise((resolve) => setTimeout(resolve, 100));
    const reply = await get(port, '/', { agent });
    expect(reply).toMatchObject({ status: 200, headers: { connection: 'close' } });
    await tracker.whenEmpty();
  });

  it('closes at once a socket idle for longer than the grace period, and a quiet one after it', async () => {
    const { tracker, port, agent } = await trackedHttp();
    await get(port, '/', { agent });
    await new Promise((resolve) => setTimeout(resolve, DEFAULT_IDLE_GRACE_MS + 100));
    const silent = await connectRaw(port);
    const startedAt = performance.now();
    expect(tracker.stopAccepting()).toMatchObject({ idleClosed: 1, idleInGrace: 1 });
    await silent.whenClosed;
    // The silent socket had just connected: closed once its grace ran out, not before.
    expect(performance.now() - startedAt).toBeGreaterThan(DEFAULT_IDLE_GRACE_MS - 200);
    await tracker.whenEmpty();
  });

  it('with a shorter idle grace, a socket quiet for longer than it is closed at once', async () => {
    const server = createServer(handler);
    const tracker = new ServerTracker(server, 'http', 150);
    const port = await listen(server);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(
      () => closeHard(server),
      () => agent.destroy(),
    );
    await get(port, '/', { agent });
    await sleep(400);
    expect(tracker.stopAccepting()).toMatchObject({ idleClosed: 1, idleInGrace: 0 });
    await tracker.whenEmpty();
  });

  it('closes quiet idle sockets in the same turn, without a shutdown round trip per socket', async () => {
    const server = createServer(handler);
    const accepted: Socket[] = [];
    server.on('connection', (socket: Socket) => accepted.push(socket));
    const tracker = new ServerTracker(server, 'http', 100);
    const port = await listen(server);
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    cleanups.push(
      () => closeHard(server),
      () => agent.destroy(),
    );
    await Promise.all(Array.from({ length: 20 }, () => get(port, '/', { agent })));
    const busy = get(port, '/slow?ms=800');
    await until(() => tracker.inFlight === 1);
    await sleep(300);
    expect(tracker.stopAccepting()).toMatchObject({ idleClosed: accepted.length - 1, busy: 1 });
    // end() on each idle socket, then a destroy once its shutdown request came back, was work
    // for every socket on later turns, while the request in flight waited for the event loop:
    // now the FIN goes with the close itself.
    expect(accepted.filter((socket) => !socket.destroyed)).toHaveLength(1);
    expect(await busy).toMatchObject({ status: 200, body: 'done', headers: { connection: 'close' } });
    await tracker.whenEmpty();
  });

  it('stopAccepting closes the listener, idle sockets and silent sockets; busy ones after their response', async () => {
    const { server, tracker, port, agent } = await trackedHttp();
    await get(port, '/', { agent });
    const silent = await connectRaw(port);
    const busy = get(port, '/slow?ms=300');
    await until(() => tracker.connections === 3 && tracker.inFlight === 1);

    const report = tracker.stopAccepting();
    // Both idle sockets were active a moment ago: they get the grace period, then close.
    expect(report).toEqual({
      idleClosed: 0,
      idleInGrace: 2,
      busy: 1,
      sessions: 0,
      handshakesClosed: 0,
      upgraded: [],
    });
    expect(server.listening).toBe(false);
    await silent.whenClosed;
    await expect(get(port, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const reply = await busy;
    expect(reply).toMatchObject({ status: 200, body: 'done', headers: { connection: 'close' } });
    await tracker.whenEmpty();
    expect(tracker.connections).toBe(0);
  });

  it('gives a socket whose keep-alive response ended after the listener closed the idle grace: its next request is answered', async () => {
    const { tracker, port } = await trackedHttp((request, response) => {
      if (request.url !== '/stream') return void response.end('next');
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('started ');
      setTimeout(() => response.end('finished'), 200);
    });
    const socket = await connectRaw(port);
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk;
      // Reuses the socket as soon as the first response is complete, as a keep-alive agent does.
      if (received.endsWith('finished\r\n0\r\n\r\n')) socket.write('GET /next HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    socket.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => received.includes('started'));
    tracker.stopAccepting();
    await socket.whenClosed;
    expect(received).toMatch(/Connection: keep-alive/);
    expect(received).toMatch(/finished/);
    expect(received.slice(received.lastIndexOf('HTTP/1.1'))).toMatch(
      /^HTTP\/1\.1 200 OK\r\n[\s\S]*Connection: close\r\n[\s\S]*next$/,
    );
    await tracker.whenEmpty();
  });

  it('a socket quiet after such a response is closed once the idle grace is over', async () => {
    const { tracker, port } = await trackedHttp((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('started ');
      setTimeout(() => response.end('finished'), 100);
    });
    const socket = await connectRaw(port);
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => tracker.inFlight === 1);
    tracker.stopAccepting();
    const startedAt = performance.now();
    await tracker.whenEmpty();
    expect(performance.now() - startedAt).toBeGreaterThan(DEFAULT_IDLE_GRACE_MS - 200);
  });

  it('hands back upgraded sockets instead of closing them', async () => {
    const { server, tracker, port } = await trackedHttp();
    server.on('upgrade', (_request, socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
    });
    const socket = await connectRaw(port);
    socket.write('GET /echo HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    const report = tracker.stopAccepting();
    expect(report.upgraded).toHaveLength(1);
    expect(report.upgraded[0]?.request.url).toBe('/echo');
    expect(report.idleClosed).toBe(0);
    expect(tracker.connections).toBe(1);
    report.upgraded[0]?.socket.end();
    await tracker.whenEmpty();
  });

  it('destroyAll cuts what is left and says how much', async () => {
    const { tracker, port } = await trackedHttp();
    const cut = get(port, '/slow?ms=10000').catch((error: unknown) => error);
    await until(() => tracker.inFlight === 1);
    tracker.stopAccepting();
    expect(tracker.destroyAll()).toEqual({ connections: 1, requests: 1 });
    expect(await cut).toMatchObject({ code: 'ECONNRESET' });
    await tracker.whenEmpty();
  });
});

describe('ServerTracker (https)', () => {
  it('tracks TLS sockets, closes idle ones and destroys handshakes that never finished', async () => {
    const server = createHttpsServer(testTls, handler);
    const tracker = new ServerTracker(server, 'https');
    const port = await listen(server);
    cleanups.push(() => closeHard(server));

    const tls = connectTls({ port, host: '127.0.0.1', rejectUnauthorized: false });
    tls.on('error', () => {});
    tls.resume();
    const tlsClosed = new Promise((resolve) => tls.once('close', resolve));
    await new Promise((resolve) => tls.once('secureConnect', resolve));
    tls.write('GET /slow?ms=100 HTTP/1.1\r\nHost: x\r\n\r\n');
    const handshaking = await connectRaw(port); // TCP only: never starts TLS
    await until(() => tracker.connections === 1 && tracker.inFlight === 1);

    const report = tracker.stopAccepting();
    expect(report).toMatchObject({ busy: 1, idleClosed: 0, handshakesClosed: 1 });
    await handshaking.whenClosed;
    await tlsClosed;
    await tracker.whenEmpty();
  });
});

describe('ServerTracker (HTTP/1 pipelining while draining)', () => {
  it('answers already queued behind a slow one: the last of them is rewritten to say Connection: close', async () => {
    const { tracker, port } = await trackedHttp();
    const socket = await connectRaw(port);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    const request = (path: string) => `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
    socket.write(request('/slow?ms=300') + request('/').repeat(2));
    await until(() => tracker.inFlight === 3);
    await sleep(50); // the two fast answers are built (keep-alive) and queued

    tracker.startDraining();
    await socket.whenClosed;
    expect(text.match(/\r\nConnection: [^\r]*/g)?.map((line) => line.slice(2))).toEqual([
      'Connection: keep-alive',
      'Connection: keep-alive',
      'Connection: close',
    ]);
    expect(text.match(/done/g)).toHaveLength(3);
    expect(tracker.unanswered).toBe(0);
  });
});

describe('ServerTracker (HTTP/2)', () => {
  it('sends GOAWAY to sessions and lets their open streams finish', async () => {
    const server = createHttp2Server((_request, response) => {
      setTimeout(() => response.end('h2 done'), 200);
    });
    const tracker = new ServerTracker(server, 'http2');
    const port = await listen(server);
    cleanups.push(() => closeHard(server));

    const session = connectHttp2(`http://127.0.0.1:${port}`);
    session.on('error', () => {});
    const goaway = new Promise((resolve) => session.once('goaway', resolve));
    const stream = session.request({ ':path': '/' });
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      body += chunk;
    });
    const ended = new Promise((resolve) => stream.once('end', resolve));
    await until(() => tracker.inFlight === 1);
    expect(tracker.connections).toBe(1);

    expect(tracker.stopAccepting()).toMatchObject({ sessions: 1 });
    await goaway;
    await ended;
    expect(body).toBe('h2 done');
    await tracker.whenEmpty();
    await sleep(0);
    session.close();
  });
});

describe('ServerTracker (HTTP/2) while draining', () => {
  it('sends no GOAWAY at once: a stream sent during the drain is answered, then a GOAWAY names it', async () => {
    const server = createHttp2Server((_request, response) => response.end('h2 done'));
    const tracker = new ServerTracker(server, 'http2');
    const port = await listen(server);
    cleanups.push(() => closeHard(server));
    const session = connectHttp2(`http://127.0.0.1:${port}`);
    session.on('error', () => {});
    cleanups.push(() => {
      session.destroy();
    });
    const goaways: number[] = [];
    session.on('goaway', (_code: number, lastStreamId: number) => goaways.push(lastStreamId));
    await new Promise((resolve) => session.once('connect', resolve));
    await until(() => tracker.connections === 1);

    tracker.startDraining();
    await sleep(50);
    expect(goaways).toEqual([]); // an idle session is left alone, like an idle HTTP/1 socket
    const body = await new Promise<string>((resolve, reject) => {
      const stream = session.request({ ':path': '/' });
      let text = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        text += chunk;
      });
      stream.on('end', () => resolve(text));
      stream.on('error', reject);
    });
    expect(body).toBe('h2 done');
    await until(() => goaways.length > 0);
    expect(goaways).toEqual([1]);
    // Node leaves the server's side of a session its client closed after a GOAWAY open: the
    // listener's close ends it.
    expect(tracker.stopAccepting()).toMatchObject({ sessions: 1 });
    await tracker.whenEmpty();
  });
});

describe('ServerTracker (HTTP/2 over TLS, with HTTP/1 allowed)', () => {
  it('tracks h2 sessions and HTTP/1.1 sockets on the same server', async () => {
    const server = createSecureServer({ ...testTls, allowHTTP1: true }, (_request, response) => {
      setTimeout(() => response.end('done'), 150);
    });
    const tracker = new ServerTracker(server, 'http2-secure');
    const port = await listen(server);
    cleanups.push(() => closeHard(server));

    const session = connectHttp2(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
    session.on('error', () => {});
    const goaway = new Promise((resolve) => session.once('goaway', resolve));
    const stream = session.request({ ':path': '/' });
    stream.resume();
    const streamEnded = new Promise((resolve) => stream.once('end', resolve));

    const tls = connectTls({
      port,
      host: '127.0.0.1',
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    tls.on('error', () => {});
    tls.resume();
    const tlsClosed = new Promise((resolve) => tls.once('close', resolve));
    await new Promise((resolve) => tls.once('secureConnect', resolve));
    tls.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => tracker.connections === 2 && tracker.inFlight === 2);

    expect(tracker.stopAccepting()).toMatchObject({ sessions: 1, busy: 1, idleClosed: 0 });
    await goaway;
    await streamEnded;
    await tlsClosed;
    await tracker.whenEmpty();
    session.close();
  });
});
