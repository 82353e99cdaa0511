import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { lifecyclesForTests, request } from 'lameduck-test-utils';
import { describe, expect, it } from 'vitest';
import { createLameduck, type HonoLameduck, type LameduckEnv } from '../src/index.js';

const quietLameduck = lifecyclesForTests(createLameduck);

function make(): HonoLameduck {
  const lameduck = quietLameduck();
  lameduck.ready();
  return lameduck;
}

/** The ways to mount the middleware under /internal, and where the probes then live. */
const mounts: [string, (lameduck: HonoLameduck) => Hono<LameduckEnv>, string][] = [
  [
    "a sub-app mounted with app.route('/internal', sub)",
    (lameduck) => {
      const sub = new Hono<LameduckEnv>();
      sub.use(lameduck.middleware());
      sub.get('/', (context) => context.text('internal home'));
      const app = new Hono<LameduckEnv>();
      app.get('/', (context) => context.text('hello'));
      app.route('/internal', sub);
      return app;
    },
    '/internal',
  ],
  [
    "app.use('/internal/*', middleware)",
    (lameduck) => {
      const app = new Hono<LameduckEnv>();
      app.use('/internal/*', lameduck.middleware());
      app.get('/', (context) => context.text('hello'));
      return app;
    },
    '/internal',
  ],
  [
    "an app with basePath('/internal')",
    (lameduck) => {
      const app = new Hono<LameduckEnv>().basePath('/internal');
      app.use(lameduck.middleware());
      app.get('/', (context) => context.text('internal home'));
      return app;
    },
    '/internal',
  ],
  [
    "a sub-app mounted under a parameter, app.route('/:tenant', sub)",
    (lameduck) => {
      const sub = new Hono<LameduckEnv>();
      sub.use(lameduck.middleware());
      const app = new Hono<LameduckEnv>();
      app.route('/:tenant', sub);
      return app;
    },
    '/acme',
  ],
];

describe('probes in a mounted Hono middleware, relative to the mount point as in Express', () => {
  it.each(mounts)('%s, through app.request()', async (_name, build, prefix) => {
    const app = build(make());
    const ready = await app.request(`${prefix}/readyz?verbose`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toBe('[+]lifecycle ok\nreadiness check passed\n');
    expect((await app.request(`${prefix}/livez`)).status).toBe(200);
    expect((await app.request(`${prefix}/readyz/nope`)).status).toBe(404);
  });

  it.each(mounts)('%s, on a real server', async (_name, build, prefix) => {
    const lameduck = make();
    const server = await lameduck.listen(build(lameduck), { port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await request(`${url}${prefix}/readyz`)).toMatchObject({ status: 200, body: 'ok\n' });
    const head = await request(`${url}${prefix}/readyz`, { method: 'HEAD' });
    expect(head.headers['content-length']).toBe('3');
    // Not a probe path under the mount point: the app's own 404.
    expect((await request(`${url}${prefix}/x/readyz`)).status).toBe(404);
  });

  it('leaves paths outside the mount point to the app', async () => {
    const lameduck = make();
    const app = mounts[0]![1](lameduck);
    expect((await app.request('/readyz')).status).toBe(404);
    expect(await (await app.request('/internal')).text()).toBe('internal home');
    expect(await (await app.request('/')).text()).toBe('hello');
  });
});

describe('probe paths of your own, mounted', () => {
  const customLameduck = lifecyclesForTests((options) =>
    createLameduck({ ...options, paths: { readiness: '/ready', liveness: '/alive', startup: '/started' } }),
  );

  it('answers each of them under the mount point, whatever character it ends with, and leaves the rest to the app', async () => {
    const lameduck = customLameduck();
    lameduck.ready();
    const app = mounts[1]![1](lameduck);
    app.get('/internal/*', (context) => context.text(`app ${context.req.path}`));
    for (const path of ['/internal/ready', '/internal/alive', '/internal/started']) {
      const answer = await app.request(path);
      expect([answer.status, await answer.text()], path).toEqual([200, 'ok\n']);
    }
    expect(await (await app.request('/internal/aliv')).text()).toBe('app /internal/aliv');
    expect(await (await app.request('/internal/readyz')).text()).toBe('app /internal/readyz');
    expect(await (await app.request('/')).text()).toBe('hello');
  });
});
