import express5 from 'express';
import express4 from 'express4';
import { runConformanceSuite, runningApp } from 'lameduck-test-utils';
import { createLameduck } from '../src/index.js';

for (const [framework, express] of [
  ['express 5', express5],
  ['express 4', express4],
] as const) {
  runConformanceSuite({
    framework,
    async start(options) {
      const lameduck = createLameduck(options);
      const app = express();
      app.use(lameduck.middleware());
      app.get('/', (_request, response) => {
        response.send('hello');
      });
      app.get('/slow', (request, response) => {
        setTimeout(() => response.send('slow'), Number(request.query.ms));
      });
      app.get('/boom', () => {
        throw new Error('boom');
      });
      app.use(
        (
          _error: unknown,
          _request: express5.Request,
          response: express5.Response,
          _next: express5.NextFunction,
        ) => {
          response.status(500).send('error');
        },
      );
      const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1' });
      return runningApp(lameduck, server);
    },
  });
}
