import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createLameduck, type LameduckEnv } from '../src/index.js';

// Where no Node server exists (app.request() in tests, fetch-style runtimes), probes still answer.
describe('hono without a Node server', () => {
  it('answers probes through app.request()', async () => {
    const lameduck = createLameduck({ logger: false, signals: false, exitOnSignal: false });
    const app = new Hono<LameduckEnv>();
    app.use(lameduck.middleware());
    app.get('/', (context) => context.text('hello'));
    expect((await app.request('/readyz')).status).toBe(503);
    lameduck.ready();
    const ready = await app.request('/readyz?verbose');
    expect(ready.status).toBe(200);
    expect(ready.headers.get('cache-control')).toBe('no-store');
    expect(await ready.text()).toBe('[+]lifecycle ok\nreadiness check passed\n');
    const head = await app.request('/livez', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect((await app.request('/livez', { method: 'POST' })).headers.get('allow')).toBe('GET, HEAD');
    expect(await (await app.request('/')).text()).toBe('hello');
  });

  it('gives handlers a deadline signal that never fires without a shutdown', async () => {
    const lameduck = createLameduck({ logger: false, signals: false, exitOnSignal: false });
    const app = new Hono<LameduckEnv>();
    app.use(lameduck.middleware());
    app.get('/work', (context) => context.text(String(context.var.deadlineSignal.aborted)));
    expect(await (await app.request('/work')).text()).toBe('false');
  });
});
