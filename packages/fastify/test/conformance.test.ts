import { runConformanceSuite, runningApp } from 'lameduck-test-utils';
import { createLameduck } from '../src/index.js';
import { FASTIFY_VERSIONS } from './frameworks.js';

for (const [framework, fastify] of FASTIFY_VERSIONS) {
  runConformanceSuite({
    framework,
    async start(options) {
      const lameduck = createLameduck(options);
      const app = fastify();
      await app.register(lameduck.plugin());
      app.get('/', async () => 'hello');
      app.get<{ Querystring: { ms: string } }>(
        '/slow',
        (request) => new Promise((resolve) => setTimeout(() => resolve('slow'), Number(request.query.ms))),
      );
      app.get('/boom', async () => {
        throw new Error('boom');
      });
      app.setErrorHandler((_error, _request, reply) => {
        reply.code(500).send('error');
      });
      const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1' });
      return runningApp(lameduck, server);
    },
  });
}
