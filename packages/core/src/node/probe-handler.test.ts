import { createServer } from 'node:http';
import { connect, createServer as createHttp2Server } from 'node:http2';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHard, get, listen } from '../../test/support/http.js';
import { createLameduck } from '../index.js';
import { handleProbe } from './probe-handler.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('handleProbe', () => {
  it('answers probe paths (GET and HEAD) and leaves every other path to the app', async () => {
    const lifecycle = createLameduck({ logger: false });
    const server = createServer((request, response) => {
      if (!handleProbe(lifecycle, request, response)) response.end('app');
    });
    const port = await listen(server);
    cleanups.push(() => closeHard(server));
    expect(await get(port, '/startupz')).toMatchObject({ status: 503 });
    lifecycle.ready();
    expect(await get(port, '/readyz?verbose')).toMatchObject({
      status: 200,
      body: '[+]lifecycle ready\nreadiness check passed\n',
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
    expect(await get(port, '/livez', { method: 'HEAD' })).toMatchObject({ status: 200, body: '' });
    expect(await get(port, '/readyz-not')).toMatchObject({ status: 200, body: 'app' });
  });

  it('works with HTTP/2 compatibility requests too', async () => {
    const lifecycle = createLameduck({ logger: false });
    lifecycle.ready();
    const server = createHttp2Server((request, response) => {
      if (!handleProbe(lifecycle, request, response)) response.end('app');
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
});
