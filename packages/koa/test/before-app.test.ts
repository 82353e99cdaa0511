import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { lifecyclesForTests, request } from 'lameduck-test-utils';
import { describe, expect, it } from 'vitest';
import { createLameduck } from '../src/index.js';

const lameduckForTest = lifecyclesForTests(createLameduck);

describe('koa: listen() answers probes before the app', () => {
  it('once middleware() at the root has answered a probe path, later probes skip the app', async () => {
    const app = new Koa();
    const lameduck = lameduckForTest();
    const seen: string[] = [];
    app.use((context, next) => {
      seen.push(context.url);
      return next();
    });
    app.use(lameduck.middleware());
    app.use((context) => {
      if (context.path === '/') context.body = 'hello';
    });
    const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1' });
    lameduck.ready();
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const first = await request(`${base}/readyz`);
    expect(first).toMatchObject({ status: 200, body: 'ok\n' });
    for (let index = 0; index < 5; index += 1) {
      const again = await request(`${base}/readyz`);
      const { date: _d1, ...firstHeaders } = first.headers;
      const { date: _d2, ...againHeaders } = again.headers;
      expect({ status: again.status, body: again.body, headers: againHeaders }).toEqual({
        status: 200,
        body: 'ok\n',
        headers: firstHeaders,
      });
    }
    expect(await request(`${base}/`)).toMatchObject({ status: 200, body: 'hello' });
    expect(seen).toEqual(['/readyz', '/']);
  });

  it('leaves probe paths to the app when the middleware answers them under a mount or after its own route', async () => {
    const app = new Koa();
    const lameduck = lameduckForTest();
    const probes = lameduck.middleware();
    app.use((context, next) => {
      if (context.path === '/readyz') {
        context.body = 'mine';
        return undefined;
      }
      return next();
    });
    // As koa-mount does: strip the prefix, then call the mounted middleware.
    app.use((context, next) => {
      if (!context.path.startsWith('/internal/')) return next();
      context.path = context.path.slice('/internal'.length);
      return probes(context, next);
    });
    const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1' });
    lameduck.ready();
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (let index = 0; index < 3; index += 1) {
      expect(await request(`${base}/internal/livez`)).toMatchObject({ status: 200, body: 'ok\n' });
      expect(await request(`${base}/readyz`)).toMatchObject({ status: 200, body: 'mine' });
      expect((await request(`${base}/livez`)).status).toBe(404);
    }
  });
});
