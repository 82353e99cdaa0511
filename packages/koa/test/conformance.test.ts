import { setTimeout as sleep } from 'node:timers/promises';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { runConformanceSuite, runningApp } from 'lameduck-test-utils';
import { createLameduck } from '../src/index.js';

for (const [framework, Koa] of [
  ['koa 3', Koa3],
  ['koa 2', Koa2],
] as const) {
  runConformanceSuite({
    framework,
    async start(options) {
      const lameduck = createLameduck(options);
      const app = new Koa();
      // The thrown /boom error is expected: keep Koa from printing its stack.
      app.silent = true;
      app.use(lameduck.middleware());
      app.use(async (context) => {
        if (context.path === '/') context.body = 'hello';
        if (context.path === '/slow') {
          await sleep(Number(context.query.ms));
          context.body = 'slow';
        }
        if (context.path === '/boom') throw new Error('boom');
      });
      const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1' });
      return runningApp(lameduck, server);
    },
  });
}
