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
import { metricsSettings, startMetrics } from './metrics.js';

runDemo('express-demo', async () => {
  // Metrics only when METRICS_PORT or OTEL_EXPORTER_OTLP_ENDPOINT is set (see README).
  const metrics = metricsSettings(process.env);
  // Pushing metrics, the process exits after their last flush (see src/metrics.ts), not before.
  const lameduck = createLameduck(metrics?.push ? { exitOnSignal: false } : {});
  checkDependencyFromEnv(lameduck, process.env);
  const database = checkDatabaseFromEnv(lameduck, process.env);

  const app = express();
  app.use(lameduck.middleware());
  app.get('/', (_request, response) => {
    response.type('text').send('hello from express-demo\n');
  });
  // POST / is what `lameduck drill --ingress nginx` sends besides GET: nginx never sends it twice.
  app.post('/', (_request, response) => {
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

  const server = await lameduck.listen(app);
  if (metrics) {
    const port = await startMetrics(lameduck, metrics);
    if (port !== undefined) console.log(`express-demo metrics on port ${port} at /metrics`);
  }
  lameduck.ready('listening');
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
});
