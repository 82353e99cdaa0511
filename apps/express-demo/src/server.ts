// express-demo: the demo contract on Express 5. Start: `node dist/server.js` (no package
// manager between SIGTERM and the process).
import { createLameduck } from '@lameduck/express';
import {
  checkDatabaseFromEnv,
  checkDependencyFromEnv,
  databaseRoute,
  parseSlowMs,
  runDemo,
  SLOW_USAGE,
} from 'demo-kit';
import express from 'express';

runDemo('express-demo', async () => {
  const lameduck = createLameduck();
  checkDependencyFromEnv(lameduck, process.env);
  const database = checkDatabaseFromEnv(lameduck, process.env);

  const app = express();
  app.use(lameduck.middleware());
  app.get('/', (_request, response) => {
    response.type('text').send('hello from express-demo\n');
  });
  app.get('/slow', (request, response) => {
    const ms = parseSlowMs(request.query.ms);
    if (ms === undefined) {
      response.status(400).type('text').send(SLOW_USAGE);
      return;
    }
    const timer = setTimeout(() => response.type('text').send(`slept ${ms} ms\n`), ms);
    // A client that gives up should not leave a timer behind.
    response.once('close', () => clearTimeout(timer));
  });
  app.get('/db', async (request, response) => {
    const { status, body } = await databaseRoute(database, request.query.ms);
    response.status(status).type('text').send(body);
  });

  // Prometheus metrics on a second port, only when METRICS_PORT is set (see README).
  const metrics = process.env.METRICS_PORT ? await import('./metrics.js') : undefined;
  const metricsPort = metrics?.parseMetricsPort(process.env.METRICS_PORT ?? '');
  const server = await lameduck.listen(app);
  if (metrics && metricsPort !== undefined) {
    const port = await metrics.serveMetrics(lameduck, metricsPort);
    console.log(`express-demo metrics on port ${port} at /metrics`);
  }
  lameduck.ready('listening');
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
});
