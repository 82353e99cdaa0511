import { connect, createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Hono } from 'hono';
import { requestHttp2 as get } from 'lameduck-test-utils';

import { afterEach, describe, expect, it } from 'vitest';
import { createLameduck, type HonoLameduck, type LameduckEnv } from '../src/index.js';

describe('hono over HTTP/2 (@hono/node-server with http2.createServer)', () => {
  let lameduck: HonoLameduck | undefined;
  afterEach(async () => {
    if (lameduck && lameduck.state !== 'closed') await lameduck.shutdown('test finished');
  });

  it('answers probes, sends GOAWAY on shutdown, and lets the in-flight stream finish', async () => {
    lameduck = createLameduck({ logger: false, signals: false, exitOnSignal: false });
    const app = new Hono<LameduckEnv>();
    app.use(lameduck.middleware());
    app.get('/slow', async (context) => {
      await sleep(Number(context.req.query('ms')));
      return context.text('slow');
    });
    const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1', createServer });
    const session = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    session.on('error', () => {});
    let goaway = false;
    session.on('goaway', () => {
      goaway = true;
    });
    lameduck.ready();
    expect(await get(session, '/readyz')).toEqual({ status: 200, body: 'ok\n' });
    const slow = get(session, '/slow?ms=600');
    await sleep(100);
    const result = await lameduck.shutdown('test');
    expect(await slow).toEqual({ status: 200, body: 'slow' });
    expect(goaway).toBe(true);
    expect(result.forced).toBe(false);
    session.destroy();
  });
});
