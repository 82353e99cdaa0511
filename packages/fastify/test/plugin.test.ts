import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { request } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createLameduck, type FastifyLameduck } from '../src/index.js';
import { FASTIFY_VERSIONS } from './frameworks.js';

const QUIET = { logger: false, signals: false, exitOnSignal: false } as const;

describe.each(FASTIFY_VERSIONS)('%s plugin', (_name, fastify) => {
  let lameduck: FastifyLameduck | undefined;
  afterEach(async () => {
    if (lameduck && lameduck.state !== 'closed') await lameduck.shutdown('test finished');
    lameduck = undefined;
  });

  const start = async (setup: (app: FastifyInstance) => void | Promise<void>) => {
    lameduck = createLameduck({ ...QUIET, drainDelayMs: 0, drainTimeoutMs: 300 });
    const app = fastify();
    await app.register(lameduck.plugin());
    await setup(app);
    const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1' });
    lameduck.ready();
    return { app, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  };

  it('answers probes before body parsing and before the hooks of an encapsulated plugin', async () => {
    const { url } = await start(async (app) => {
      // An auth hook in a child context that refuses everything: probes never reach it.
      await app.register(async (child) => {
        child.addHook('onRequest', async (_request, reply) => reply.code(401).send('no'));
        child.get('/private', async () => 'secret');
      });
      // A root hook registered after the plugin: also after the probe.
      app.addHook('onRequest', async (request, reply) => {
        if (request.url !== '/') return reply.code(403).send('forbidden');
      });
    });
    expect((await request(`${url}/private`)).status).toBe(401);
    expect((await request(`${url}/other`)).status).toBe(403);
    expect(await request(`${url}/readyz`)).toMatchObject({ status: 200, body: 'ok\n' });
    // A body Fastify's JSON parser would refuse (400): the probe answers 405 before parsing.
    const post = await fetch(`${url}/livez`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('matches the raw request target, not a rewritten URL', async () => {
    lameduck = createLameduck({ ...QUIET, drainDelayMs: 0 });
    const app = fastify({ rewriteUrl: (raw) => (raw.url === '/readyz' ? '/' : (raw.url ?? '/')) });
    await app.register(lameduck.plugin());
    app.get('/', async () => 'app');
    const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await request(`${url}/readyz`)).status).toBe(503); // lameduck, not the app's '/'
    expect(await request(`${url}/`)).toMatchObject({ status: 200, body: 'app' });
  });

  it('gives handlers request.deadlineSignal, which aborts at the drain deadline', async () => {
    // The handler reports what it saw instead of calling expect() itself: a failed expect() inside
    // a route becomes a 500 and a hung test, not a failure.
    let abortedAtStart: boolean | undefined;
    let abortedInHandler: boolean | undefined;
    let handlerStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      handlerStarted = resolve;
    });
    const { url } = await start((app) => {
      app.get('/long', async (request) => {
        abortedAtStart = request.deadlineSignal.aborted;
        handlerStarted();
        if (!request.deadlineSignal.aborted) {
          await new Promise((resolve) =>
            request.deadlineSignal.addEventListener('abort', resolve, { once: true }),
          );
        }
        abortedInHandler = request.deadlineSignal.aborted;
        return 'partial';
      });
    });
    const long = request(`${url}/long`).catch(() => undefined);
    await started;
    const result = await lameduck!.shutdown('test');
    await long;
    expect(abortedAtStart).toBe(false);
    expect(result.forced).toBe(true);
    expect(abortedInHandler).toBe(true);
  });

  it('listen() refuses an app without the plugin, in one line', async () => {
    lameduck = createLameduck(QUIET);
    await expect(lameduck.listen(fastify(), { port: 0 })).rejects.toThrow(
      /^listen\(app\) needs the plugin on that app: call app.register\(lameduck.plugin\(\)\)/,
    );
  });

  it('listen() reports a port in use in one line', async () => {
    const { url } = await start(() => {});
    const port = Number(new URL(url).port);
    const second = createLameduck(QUIET);
    const app = fastify();
    await app.register(second.plugin());
    await expect(second.listen(app, { port, host: '127.0.0.1' })).rejects.toThrow(
      `cannot listen on 127.0.0.1 port ${port}: the port is already in use`,
    );
    await app.close();
  });

  it('listens on all interfaces by default, not on Fastify\'s "localhost"', async () => {
    lameduck = createLameduck(QUIET);
    const app = fastify();
    await app.register(lameduck.plugin());
    const server = await lameduck.listen(app, { port: 0 });
    expect((server.address() as AddressInfo).address).toBe('::');
  });
});
