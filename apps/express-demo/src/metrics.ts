// The demo's metrics, loaded only when asked for: METRICS_PORT serves Prometheus' /metrics on a
// port of its own; OTEL_EXPORTER_OTLP_ENDPOINT pushes them (OTLP over HTTP) every 15 s and once
// more after the shutdown, before the process exits, so the last shutdown's figures are kept.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { LameduckConfigError } from '@lameduck/core';
import type { NodeLameduck } from '@lameduck/core/node';
import type { MetricReader } from '@opentelemetry/sdk-metrics';

export interface MetricsSettings {
  /** Serve /metrics on this port (0: any free port). */
  port?: number;
  /** Push with OTLP (the exporter reads OTEL_EXPORTER_OTLP_* itself). */
  push: boolean;
}

/** Reads METRICS_PORT and OTEL_EXPORTER_OTLP_ENDPOINT; undefined when neither is set. */
export function metricsSettings(
  env: Readonly<Record<string, string | undefined>>,
): MetricsSettings | undefined {
  const raw = env.METRICS_PORT ?? '';
  const push = (env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '') !== '';
  if (raw === '' && !push) return undefined;
  if (raw === '') return { push };
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) {
    throw new LameduckConfigError(`METRICS_PORT must be a port number from 0 to 65535, got "${raw}"`);
  }
  return { port, push };
}

/**
 * Starts the metrics; returns the /metrics port, if any. The /metrics server is attached to the
 * lifecycle like the app's, so it is drained with it (a scrape during the drain delay answers).
 * With push, the lifecycle must not exit by itself (`exitOnSignal: false`): this exits once the
 * shutdown is done and its figures are flushed.
 */
export async function startMetrics(
  lameduck: NodeLameduck,
  settings: MetricsSettings,
): Promise<number | undefined> {
  // Imported here, not at the top: the bundle would otherwise load them at every startup.
  const [
    { instrumentLameduck },
    { PrometheusExporter },
    sdk,
    { OTLPMetricExporter },
    { resourceFromAttributes },
  ] = await Promise.all([
    import('@lameduck/opentelemetry'),
    import('@opentelemetry/exporter-prometheus'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/exporter-metrics-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const readers: MetricReader[] = [];
  const prometheus =
    settings.port === undefined ? undefined : new PrometheusExporter({ preventServerStart: true });
  if (prometheus) readers.push(prometheus);
  if (settings.push) {
    readers.push(
      new sdk.PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(),
        exportIntervalMillis: 15_000,
      }),
    );
  }
  // One instance id per process: each process's shutdown is its own series (`instance` in Prometheus).
  const resource = resourceFromAttributes({
    'service.name': 'express-demo',
    'service.instance.id': randomUUID(),
  });
  const meterProvider = new sdk.MeterProvider({ readers, resource });
  instrumentLameduck({ meterProvider, lifecycles: [lameduck] });
  if (settings.push) {
    lameduck.on('state', async ({ to }) => {
      if (to !== 'closed') return;
      const result = await lameduck.shutdown(); // the running shutdown's result
      await meterProvider
        .forceFlush()
        .catch((error: Error) => console.error(`metrics push failed: ${error.message}`));
      process.exit(result.exitCode);
    });
  }
  if (prometheus === undefined || settings.port === undefined) return undefined;
  const server: Server = lameduck.attach(
    createServer((request, response) => {
      if (request.url === '/metrics') return prometheus.getMetricsRequestHandler(request, response);
      response.statusCode = 404;
      response.end('not found: metrics are at /metrics\n');
    }),
  );
  const port = settings.port;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new Error(`cannot listen on METRICS_PORT ${port}: ${error.message}`)),
    );
    server.listen(port, resolve);
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}
