import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { MAX_SLOW_MS } from 'demo-kit';
import { request } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { handleRequest, parseTarget } from './routes.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

async function start(): Promise<string> {
  server = createServer(handleRequest);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

describe('handleRequest', () => {
  it('GET / answers 200 text at once', async () => {
    const url = await start();
    expect(await request(`${url}/`)).toMatchObject({
      status: 200,
      body: 'hello from node-demo\n',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  });

  it('GET /slow?ms=N answers after N ms', async () => {
    const url = await start();
    const startedAt = Date.now();
    expect(await request(`${url}/slow?ms=150`)).toMatchObject({ status: 200, body: 'slept 150 ms\n' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
  });

  it.each(['', 'abc', '-5', '2.5', '1e3', String(MAX_SLOW_MS + 1)])(
    'GET /slow?ms=%s is a 400',
    async (ms) => {
      const url = await start();
      expect(await request(`${url}/slow?ms=${ms}`)).toMatchObject({
        status: 400,
        body: `ms must be a whole number of milliseconds from 0 to ${MAX_SLOW_MS}\n`,
      });
    },
  );

  it('404 for other paths, 405 for other methods', async () => {
    const url = await start();
    expect((await request(`${url}/nope`)).status).toBe(404);
    expect(await request(`${url}/`, { method: 'POST' })).toMatchObject({
      status: 405,
      headers: { allow: 'GET, HEAD' },
    });
  });
});

/** One request line sent as written on a raw socket (Node's client would clean the path up); the body is raw, chunked or not. */
function rawGet(url: string, target: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    socket.on('end', () =>
      resolve({ status: Number(text.split(' ')[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) }),
    );
    // write, not end: a client that half-closes may see a handler give up on it.
    socket.write(`GET ${target} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`);
  });
}

describe('request targets', () => {
  it.each(['//readyz', '//', '//slow?ms=5', '//demo/'])('%s is not the home page: 404', async (target) => {
    const url = await start();
    const response = await rawGet(url, target);
    expect(response.status).toBe(404);
    expect(response.body).toContain('not found\n');
  });

  it('answers an absolute-form target by its path', async () => {
    const url = await start();
    const home = await rawGet(url, `${url}/`);
    expect(home.status).toBe(200);
    expect(home.body).toContain('hello from node-demo\n');
    const slow = await rawGet(url, `${url}/slow?ms=5`);
    expect(slow.status).toBe(200);
    expect(slow.body).toContain('slept 5 ms\n');
  });

  it('parses the raw path and query', () => {
    expect(parseTarget('/slow?ms=5')).toMatchObject({ pathname: '/slow' });
    expect(parseTarget('/slow?ms=5').searchParams.get('ms')).toBe('5');
    expect(parseTarget('//readyz').pathname).toBe('//readyz');
    expect(parseTarget('*').pathname).toBe('');
  });
});
