import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHard, get } from '../../test/support/http.js';
import { createNodeLameduck, type NodeLameduck } from './node-lameduck.js';
import { probesFirst } from './probes-first.js';
import type { Listenable } from './start-server.js';

function listenThrough(app: Listenable<ReturnType<typeof createServer>>): Promise<number> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

const made: NodeLameduck[] = [];
const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const lameduck of made.splice(0)) lameduck.dispose();
  for (const server of servers.splice(0)) await closeHard(server);
});

describe('probesFirst', () => {
  it('answers a probe path in front of the app only once the middleware answered it at the root', async () => {
    const lameduck = createNodeLameduck({ logger: false, signals: false, env: false });
    made.push(lameduck);
    lameduck.ready();
    const probes = probesFirst(lameduck);
    const appSaw: string[] = [];
    const server = createServer((request, response) => {
      appSaw.push(request.url ?? '');
      response.end('app\n');
    });
    servers.push(server);
    // As listen() does: startServer listens through inFrontOf(app), then attaches.
    const port = await listenThrough(probes.inFrontOf(server, () => true));

    expect((await get(port, '/readyz')).body).toBe('app\n');
    probes.answeredAtRoot('/readyz?verbose');
    expect(await get(port, '/readyz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await get(port, '/readyz/db')).toMatchObject({ status: 404 });
    expect((await get(port, '/livez')).body).toBe('app\n');
    expect((await get(port, '/readyzz')).body).toBe('app\n');
    expect(appSaw).toEqual(['/readyz', '/livez', '/readyzz']);
  });

  it('tells probes under a prefix from the app paths that share their first letters', async () => {
    const lameduck = createNodeLameduck({ logger: false, signals: false, env: false, prefix: '/health' });
    made.push(lameduck);
    lameduck.ready();
    const probes = probesFirst(lameduck);
    const server = createServer((request, response) => response.end(`app ${request.url}\n`));
    servers.push(server);
    const port = await listenThrough(probes.inFrontOf(server, () => true));
    probes.answeredAtRoot('/health/readyz');
    probes.answeredAtRoot('/health/livez');

    expect(await get(port, '/health/readyz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await get(port, '/health/livez?x=1')).toMatchObject({ status: 200, body: 'ok\n' });
    expect((await get(port, '/health/startupz')).body).toBe('app /health/startupz\n');
    expect((await get(port, '/healthz')).body).toBe('app /healthz\n');
    expect((await get(port, '/h')).body).toBe('app /h\n');
    expect((await get(port, '/')).body).toBe('app /\n');
  });

  it('leaves a server alone that has no single request listener to wrap', async () => {
    const lameduck = createNodeLameduck({ logger: false, signals: false, env: false });
    made.push(lameduck);
    const server = createServer();
    servers.push(server);
    server.on('request', (_request, response) => response.end('one\n'));
    server.on('request', () => {});
    await listenThrough(probesFirst(lameduck).inFrontOf(server, () => true));
    expect(server.listeners('request')).toHaveLength(2);
  });
  it("answers in front of the app only while the adapter's test says the middleware runs first, asked at each answer", async () => {
    const lameduck = createNodeLameduck({ logger: false, signals: false, env: false });
    made.push(lameduck);
    lameduck.ready();
    const probes = probesFirst(lameduck);
    let first: boolean | 'throw' = true;
    const server = createServer((request, response) => response.end(`app ${request.url}\n`));
    servers.push(server);
    const port = await listenThrough(
      probes.inFrontOf(server, (response) => {
        if (first === 'throw') throw new Error('unrecognised app');
        if (first) response.setHeader('X-Framework', 'yes');
        return first;
      }),
    );
    probes.answeredAtRoot('/livez');
    const ahead = await get(port, '/livez');
    expect(ahead).toMatchObject({ status: 200, body: 'ok\n' });
    expect(ahead.headers['x-framework']).toBe('yes');
    first = false;
    expect((await get(port, '/livez')).body).toBe('app /livez\n');
    // A test that throws is a "no", never a throw into the server's listener.
    first = 'throw';
    expect((await get(port, '/livez')).body).toBe('app /livez\n');
    first = true;
    expect(await get(port, '/livez')).toMatchObject({ status: 200, body: 'ok\n' });
  });

  it('wraps nothing without a test from the adapter', async () => {
    const lameduck = createNodeLameduck({ logger: false, signals: false, env: false });
    made.push(lameduck);
    lameduck.ready();
    const probes = probesFirst(lameduck);
    const server = createServer((request, response) => response.end(`app ${request.url}\n`));
    servers.push(server);
    expect(probes.inFrontOf(server, undefined)).toBe(server);
    const port = await listenThrough(probes.inFrontOf(server, undefined));
    probes.answeredAtRoot('/livez');
    expect((await get(port, '/livez')).body).toBe('app /livez\n');
  });
});
