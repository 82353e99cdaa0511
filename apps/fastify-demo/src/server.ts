// fastify-demo: the demo contract on Fastify 5. Start: `node dist/server.js` (no package
// manager between SIGTERM and the process).
import { createLameduck } from '@lameduck/fastify';
import {
  checkDatabaseFromEnv,
  checkDependencyFromEnv,
  databaseRoute,
  parseSlowMs,
  runDemo,
  SLOW_USAGE,
} from 'demo-kit';
import Fastify from 'fastify';

runDemo('fastify-demo', async () => {
  const lameduck = createLameduck();
  const app = Fastify();
  await app.register(lameduck.plugin());
  checkDependencyFromEnv(lameduck, process.env);
  // The Fastify way: the pool closes in an onClose hook. lameduck runs app.close() as its last
  // cleanup step, so the pool outlives every request.
  const database = checkDatabaseFromEnv(
    {
      check: (name, fn, options) => lameduck.check(name, fn, options),
      onCleanup: (_name, fn) => app.addHook('onClose', fn),
    },
    process.env,
  );

  type Query = { Querystring: { ms?: string } };
  app.get('/', async (_request, reply) => reply.type('text/plain').send('hello from fastify-demo\n'));
  app.get<Query>('/slow', async (request, reply) => {
    const ms = parseSlowMs(request.query.ms);
    if (ms === undefined) return reply.code(400).type('text/plain').send(SLOW_USAGE);
    await new Promise((resolve) => setTimeout(resolve, ms));
    return reply.type('text/plain').send(`slept ${ms} ms\n`);
  });
  app.get<Query>('/db', async (request, reply) => {
    const { status, body } = await databaseRoute(database, request.query.ms);
    return reply.code(status).type('text/plain').send(body);
  });

  const server = await lameduck.listen(app);
  lameduck.ready('listening');
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
});
