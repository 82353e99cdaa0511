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

/** An app whose order the test sets: `leads` is what the adapter would say of it. */
function orderedBy(state: { leads: boolean; asked: number }) {
  return {
    leads: (app: unknown) => () => {
      state.asked += 1;
      return app !== undefined && state.leads;
    },
  };
}

describe('probesFirst', () => {
  it('answers a probe in front of the app only while the order says the middleware leads, asked at each probe', async () => {
    const lameduck = createNodeLameduck({ logger: false, signals: false, env: false });
    made.push(lameduck);
    lameduck.ready();
    const state = { leads: false, asked: 0 };
    const inFrontOf = probesFirst(lameduck, orderedBy(state));
    const appSaw: string[] = [];
    const server = createServer((request, response) => {
      appSaw.push(request.url ?? '');
      response.end('app\n');
    });
    servers.push(server);
    // As listen() does: startServer listens through inFrontOf(app), then attaches.
    const port = await listenThrough(inFrontOf(server));

    expect((await get(port, '/readyz')).body).toBe('app\n');
    state.leads = true;
    expect(await get(port, '/readyz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await get(port, '/readyz/db')).toMatchObject({ status: 404 });
    expect((await get(port, '/livez')).body).toBe('ok\n');
    expect((await get(port, '/readyzz')).body).toBe('app\n');
    expect((await get(port, '/')).body).toBe('app\n');
    state.leads = false;
    expect((await get(port, '/livez')).body).toBe('app\n');
    expect(appSaw).toEqual(['/readyz', '/readyzz', '/', '/livez']);
    // Asked for probe-like targets only ('/' is told apart by its second character).
    expect(state.asked).toBe(6);
  });

  it('passes the app it wraps to the order, and what the order prepares is on the answer', async () => {
    const lameduck = createNodeLameduck({ logger: false, signals: false, env: false });
    made.push(lameduck);
    const server = createServer((_request, response) => response.end('app\n'));
    servers.push(server);
    const seenApps: unknown[] = [];
    const inFrontOf = probesFirst(lameduck, {
      leads: (app) => {
        seenApps.push(app);
        return () => true;
      },
      prepare: (_app, response) => response.setHeader('X-Framework', 'yes'),
    });
    const port = await listenThrough(inFrontOf(server));
    const answer = await get(port, '/livez');
    expect(answer).toMatchObject({ status: 200, body: 'ok\n' });
    expect(answer.headers['x-framework']).toBe('yes');
    await get(port, '/readyz');
    // Asked once, as the app starts listening.
    expect(seenApps).toEqual([server]);
  });

  it('tells probes under a prefix from the app paths that share their first letters', async () => {
    const lameduck = createNodeLameduck({ logger: false, signals: false, env: false, prefix: '/health' });
    made.push(lameduck);
    lameduck.ready();
    const inFrontOf = probesFirst(lameduck, orderedBy({ leads: true, asked: 0 }));
    const server = createServer((request, response) => response.end(`app ${request.url}\n`));
    servers.push(server);
    const port = await listenThrough(inFrontOf(server));

    expect(await get(port, '/health/readyz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await get(port, '/health/livez?x=1')).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await get(port, '/health/startupz')).toMatchObject({ status: 200, body: 'ok\n' });
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
    await listenThrough(probesFirst(lameduck, orderedBy({ leads: true, asked: 0 }))(server));
    expect(server.listeners('request')).toHaveLength(2);
  });
});
