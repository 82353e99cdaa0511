import type { AddressInfo } from 'node:net';
import express from 'express';
import { lifecyclesForTests, request } from 'lameduck-test-utils';
import { describe, expect, it } from 'vitest';
import { createLameduck, type ExpressLameduck } from '../src/index.js';

const lameduckForTest = lifecyclesForTests(createLameduck);

async function start(lameduck: ExpressLameduck, app: express.Express): Promise<string> {
  const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1' });
  lameduck.ready();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('express: listen() answers probes before the router', () => {
  it('once middleware() at the root has answered a probe path, later probes skip the app', async () => {
    const lameduck = lameduckForTest();
    const app = express();
    const seen: string[] = [];
    app.use((incoming, _response, next) => {
      seen.push(incoming.url);
      next();
    });
    app.use(lameduck.middleware());
    app.get('/', (_request, response) => {
      response.send('hello');
    });
    const base = await start(lameduck, app);
    const first = await request(`${base}/readyz`);
    expect(first).toMatchObject({ status: 200, body: 'ok\n' });
    for (let index = 0; index < 5; index += 1) {
      const again = await request(`${base}/readyz`);
      expect(again.status).toBe(200);
      expect(again.body).toBe('ok\n');
      // Express's own header is not on a probe answered before the app: all else is the same.
      const { date: _d1, 'x-powered-by': _p1, ...firstHeaders } = first.headers;
      const { date: _d2, 'x-powered-by': _p2, ...againHeaders } = again.headers;
      expect(againHeaders).toEqual(firstHeaders);
    }
    expect(await request(`${base}/readyz?verbose`)).toMatchObject({ status: 200 });
    expect(await request(`${base}/`)).toMatchObject({ status: 200, body: 'hello' });
    // The first probe went through the app (and taught listen() the path); the others did not.
    expect(seen).toEqual(['/readyz', '/']);
    // Another probe path is learned on its own.
    expect((await request(`${base}/livez`)).status).toBe(200);
    expect((await request(`${base}/livez`)).status).toBe(200);
    expect(seen).toEqual(['/readyz', '/', '/livez']);
  });

  it('leaves a probe path to the app while middleware() has not answered it at the root', async () => {
    const lameduck = lameduckForTest();
    const app = express();
    // The app's own /readyz, before the middleware: it stays the app's.
    app.get('/readyz', (_request, response) => {
      response.send('mine');
    });
    app.use(lameduck.middleware());
    app.use('/internal', lameduck.middleware());
    const base = await start(lameduck, app);
    for (let index = 0; index < 3; index += 1) {
      expect(await request(`${base}/livez`)).toMatchObject({ status: 200, body: 'ok\n' });
      expect(await request(`${base}/readyz`)).toMatchObject({ status: 200, body: 'mine' });
      expect(await request(`${base}/internal/startupz`)).toMatchObject({ status: 200, body: 'ok\n' });
    }
  });

  it('answers nothing itself without middleware()', async () => {
    const lameduck = lameduckForTest();
    const app = express();
    const base = await start(lameduck, app);
    for (let index = 0; index < 3; index += 1) expect((await request(`${base}/readyz`)).status).toBe(404);
  });
});
