// hono-demo: the demo contract on Hono 4 with @hono/node-server. Start: `node dist/server.js`
// (no package manager between SIGTERM and the process).
import { createLameduck, type LameduckEnv } from '@lameduck/hono';
import {
  checkDatabaseFromEnv,
  checkDependencyFromEnv,
  databaseRoute,
  parseSlowMs,
  runDemo,
  SLOW_USAGE,
} from 'demo-kit';
import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

runDemo('hono-demo', async () => {
  const lameduck = createLameduck();
  checkDependencyFromEnv(lameduck, process.env);
  const database = checkDatabaseFromEnv(lameduck, process.env);

  const app = new Hono<LameduckEnv>();
  app.use(lameduck.middleware());
  app.get('/', (context) => context.text('hello from hono-demo\n'));
  app.get('/slow', async (context) => {
    const ms = parseSlowMs(context.req.query('ms'));
    if (ms === undefined) return context.text(SLOW_USAGE, 400);
    await new Promise((resolve) => setTimeout(resolve, ms));
    return context.text(`slept ${ms} ms\n`);
  });
  app.get('/db', async (context) => {
    const { status, body } = await databaseRoute(database, context.req.query('ms'));
    return context.text(body, status as ContentfulStatusCode);
  });

  const server = await lameduck.listen(app);
  lameduck.ready('listening');
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
});
