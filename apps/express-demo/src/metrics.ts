// Prometheus metrics for the demo, on a port of their own, only when METRICS_PORT is set: the
// OpenTelemetry SDK and its Prometheus exporter are loaded only then.
import { createServer, type Server } from 'node:http';
import { LameduckConfigError } from '@lameduck/core';
import type { NodeLameduck } from '@lameduck/core/node';

export function parseMetricsPort(raw: string): number {
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) {
    throw new LameduckConfigError(`METRICS_PORT must be a port number from 0 to 65535, got "${raw}"`);
  }
  return port;
}

/**
 * Serves `GET /metrics` in Prometheus' text format. The server is attached to the lifecycle like
 * the app's, so it is drained with it (and a scrape during the drain delay still answers).
 */
export async function serveMetrics(lameduck: NodeLameduck, port: number): Promise<number> {
  // Imported here, not at the top: the bundle would otherwise load them at startup.
  const [{ instrumentLameduck }, { PrometheusExporter }, { MeterProvider }] = await Promise.all([
    import('@lameduck/opentelemetry'),
    import('@opentelemetry/exporter-prometheus'),
    import('@opentelemetry/sdk-metrics'),
  ]);
  const exporter = new PrometheusExporter({ preventServerStart: true });
  instrumentLameduck({ meterProvider: new MeterProvider({ readers: [exporter] }), lifecycles: [lameduck] });
  const server: Server = lameduck.attach(
    createServer((request, response) => {
      if (request.url === '/metrics') return exporter.getMetricsRequestHandler(request, response);
      response.statusCode = 404;
      response.end('not found: metrics are at /metrics\n');
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`cannot listen on METRICS_PORT ${port}: ${error.message}`)));
    server.listen(port, resolve);
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}
