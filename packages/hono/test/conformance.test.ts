import { setTimeout as sleep } from 'node:timers/promises';
import { Hono } from 'hono';
import { runConformanceSuite, runningApp } from 'lameduck-test-utils';
import { createLameduck, type LameduckEnv } from '../src/index.js';

runConformanceSuite({
  framework: 'hono',
  async start(options) {
    const lameduck = createLameduck(options);
    const app = new Hono<LameduckEnv>();
    app.use(lameduck.middleware());
    app.get('/', (context) => context.text('hello'));
    app.get('/slow', async (context) => {
      await sleep(Number(context.req.query('ms')));
      return context.text('slow');
    });
    app.get('/boom', () => {
      throw new Error('boom');
    });
    app.onError((_error, context) => context.text('error', 500));
    const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1' });
    return runningApp(lameduck, server);
  },
});
