// koa-demo: the demo contract on Koa 3. Start: `node dist/server.js` (no package manager
// between SIGTERM and the process).
import { createLameduck } from '@lameduck/koa';
import {
  checkDatabaseFromEnv,
  checkDependencyFromEnv,
  databaseRoute,
  parseSlowMs,
  runDemo,
  SLOW_USAGE,
} from 'demo-kit';
import Koa from 'koa';

runDemo('koa-demo', async () => {
  const lameduck = createLameduck();
  checkDependencyFromEnv(lameduck, process.env);
  const database = checkDatabaseFromEnv(lameduck, process.env);

  const app = new Koa();
  app.use(lameduck.middleware());
  app.use(async (context) => {
    if (context.method !== 'GET' && context.method !== 'HEAD') return;
    if (context.path === '/') {
      context.type = 'text';
      context.body = 'hello from koa-demo\n';
    }
    if (context.path === '/slow') {
      const ms = parseSlowMs(context.query.ms);
      context.type = 'text';
      if (ms === undefined) {
        context.status = 400;
        context.body = SLOW_USAGE;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, ms));
      context.body = `slept ${ms} ms\n`;
    }
    if (context.path === '/db') {
      const { status, body } = await databaseRoute(database, context.query.ms);
      context.type = 'text';
      context.status = status;
      context.body = body;
    }
  });

  const server = await lameduck.listen(app);
  lameduck.ready('listening');
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
});
