import { createServer, type Server } from 'node:http';
import { MAX_SLOW_MS } from 'demo-kit';
import { request } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { handleRequest } from './routes.js';

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
