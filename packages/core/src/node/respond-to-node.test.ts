import { createServer } from 'node:http';
import { connect, createServer as createHttp2Server } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHard, get, listen } from '../../test/support/http.js';
import { createLameduck } from '../index.js';
import { acceptOf, respondToNode } from './respond-to-node.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('respondToNode', () => {
  it('answers probe paths (GET and HEAD) and leaves every other path to the app', async () => {
    const lifecycle = createLameduck({ logger: false });
    const server = createServer((request, response) => {
      if (!respondToNode(lifecycle, request, response)) response.end('app');
    });
    const port = await listen(server);
    cleanups.push(() => closeHard(server));
    expect(await get(port, '/startupz')).toMatchObject({ status: 503 });
    lifecycle.ready();
    expect(await get(port, '/readyz?verbose')).toMatchObject({
      status: 200,
      body: '[+]lifecycle ok\nreadiness check passed\n',
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
    expect(await get(port, '/livez', { method: 'HEAD' })).toMatchObject({ status: 200, body: '' });
    expect(await get(port, '/readyz-not')).toMatchObject({ status: 200, body: 'app' });
  });

  it('works with HTTP/2 compatibility requests too', async () => {
    const lifecycle = createLameduck({ logger: false });
    lifecycle.ready();
    const server = createHttp2Server((request, response) => {
      if (!respondToNode(lifecycle, request, response)) response.end('app');
    });
    const port = await listen(server);
    cleanups.push(() => closeHard(server));
    const session = connect(`http://127.0.0.1:${port}`);
    const stream = session.request({ ':path': '/readyz' });
    const status = await new Promise((resolve) =>
      stream.once('response', (headers) => resolve(headers[':status'])),
    );
    stream.resume();
    await new Promise((resolve) => stream.once('end', resolve));
    session.close();
    expect(status).toBe(200);
  });

  it('writes a kept answer with the same status, headers and body as a built one (HTTP/1 and HTTP/2)', async () => {
    const lifecycle = createLameduck({ logger: false, probeDetail: 'full' });
    lifecycle.check('db', async () => {});
    lifecycle.ready();
    const server = createServer((request, response) => {
      // A header set before, as a framework does: it must survive the kept answer's writeHead.
      response.setHeader('X-Powered-By', 'test');
      if (!respondToNode(lifecycle, request, response)) response.end('app');
    });
    const port = await listen(server);
    cleanups.push(() => closeHard(server));
    const json = { headers: { accept: 'application/health+json' } };
    const answers: Awaited<ReturnType<typeof get>>[] = [];
    // The first runs the check, the second is built from the cached result and kept, the rest
    // are the kept answer.
    for (let index = 0; index < 4; index += 1) answers.push(await get(port, '/readyz', json));
    const strip = ({ status, body, headers }: (typeof answers)[number]) => {
      const { date: _date, ...rest } = headers;
      return { status, body, headers: rest };
    };
    // The first says "cached":false; from the second on the results come from the check's cache.
    for (const answer of answers.slice(2)) expect(strip(answer)).toEqual(strip(answers[1]!));
    expect(answers[3]).toMatchObject({
      status: 200,
      headers: {
        'content-type': 'application/health+json',
        'content-length': String(Buffer.byteLength(answers[3]!.body)),
        vary: 'Accept',
        'x-powered-by': 'test',
        'x-content-type-options': 'nosniff',
      },
    });
    expect(answers[3]!.body).toBe(answers[2]!.body);
    expect(JSON.parse(answers[3]!.body).checks.db[0].cached).toBe(true);
    const head = await get(port, '/readyz', { method: 'HEAD' });
    const headAgain = await get(port, '/readyz', { method: 'HEAD' });
    expect(headAgain).toMatchObject({ status: 200, body: '', headers: { 'content-length': '3' } });
    expect(headAgain.headers['content-length']).toBe(head.headers['content-length']);

    const http2 = createHttp2Server((request, response) => {
      if (!respondToNode(lifecycle, request, response)) response.end('app');
    });
    const http2Port = await listen(http2);
    cleanups.push(() => closeHard(http2));
    const session = connect(`http://127.0.0.1:${http2Port}`);
    const ask = () =>
      new Promise<{ status: unknown; type: unknown; body: string }>((resolve) => {
        const stream = session.request({ ':path': '/readyz' });
        let body = '';
        let headers: Record<string, unknown> = {};
        stream.once('response', (received) => {
          headers = received;
        });
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          body += chunk;
        });
        stream.once('end', () =>
          resolve({ status: headers[':status'], type: headers['content-type'], body }),
        );
      });
    for (let index = 0; index < 3; index += 1) {
      expect(await ask()).toEqual({ status: 200, type: 'text/plain; charset=utf-8', body: 'ok\n' });
    }
    session.close();
  });

  it('reads Accept from the raw headers as Node joins them', async () => {
    const seen: [unknown, unknown][] = [];
    const server = createServer((request, response) => {
      seen.push([acceptOf(request.rawHeaders), request.headers.accept]);
      response.end();
    });
    const port = await listen(server);
    cleanups.push(() => closeHard(server));
    await get(port, '/', { headers: { ACCEPT: 'application/json;q=0.5' } });
    await get(port, '/');
    // Two Accept lines, as a raw client may send them.
    await new Promise<void>((resolve, reject) => {
      const socket = netConnect(port, '127.0.0.1');
      socket.on('error', reject);
      socket.on('data', () => {
        socket.destroy();
        resolve();
      });
      socket.write('GET / HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\naccept: application/json\r\n\r\n');
    });
    for (const [mine, node] of seen) expect(mine).toBe(node);
    expect(seen.map(([mine]) => mine)).toEqual([
      'application/json;q=0.5',
      undefined,
      'text/plain, application/json',
    ]);
  });
});
