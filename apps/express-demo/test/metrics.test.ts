import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { killAllChildren, request, spawnNode } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';

// The built demo with METRICS_PORT set: a real Prometheus scrape of /metrics on a second port.

afterEach(() => killAllChildren());

const appDir = fileURLToPath(new URL('..', import.meta.url));

/** Prometheus text format → samples with their labels. */
function parse(body: string) {
  return body
    .split('\n')
    .map((line) => /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line))
    .filter((match) => match !== null)
    .map((match) => ({
      name: match[1] as string,
      labels: Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]])),
      value: Number(match[3]),
    }));
}

describe('express-demo with METRICS_PORT or OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  it('serves lameduck metrics on /metrics, drains the metrics server with the app and exits 0', async () => {
    const child = spawnNode('dist/server.js', {
      cwd: appDir,
      env: { PORT: '0', METRICS_PORT: '0', LAMEDUCK_DRAIN_DELAY_MS: '0' },
    });
    const appPort = (await child.waitForLine(/^express-demo listening on port \d+$/)).split(' ').at(-1);
    const metricsPort = (await child.waitForLine(/^express-demo metrics on port \d+ at \/metrics$/)).split(
      ' ',
    )[4];
    expect((await request(`http://127.0.0.1:${appPort}/readyz`)).status).toBe(200);
    const scrape = await request(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scrape.status).toBe(200);
    const samples = parse(scrape.body);
    const sample = (name: string, labels: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        ?.value;
    expect(sample('lameduck_lifecycle_state', { lameduck_lifecycle_state: 'ready' })).toBe(1);
    expect(sample('lameduck_requests_in_flight')).toBe(1); // the scrape
    expect(sample('lameduck_connections_open')).toBeGreaterThanOrEqual(1);
    expect((await request(`http://127.0.0.1:${metricsPort}/other`)).status).toBe(404);
    child.signal('SIGTERM');
    expect((await child.exited).code).toBe(0);
  });

  it('refuses a bad METRICS_PORT with one line and exit 2', async () => {
    const child = spawnNode('dist/server.js', { cwd: appDir, env: { PORT: '0', METRICS_PORT: 'http' } });
    expect((await child.exited).code).toBe(2);
    expect(child.stderr.trim()).toBe(
      'express-demo: METRICS_PORT must be a port number from 0 to 65535, got "http"',
    );
  });

  it('with OTEL_EXPORTER_OTLP_ENDPOINT, pushes the shutdown outcome after the drain and then exits 0', async () => {
    // An OTLP/HTTP receiver: the exporter POSTs JSON to /v1/metrics.
    const bodies: string[] = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        if (request.url === '/v1/metrics') bodies.push(body);
        response.setHeader('content-type', 'application/json');
        response.end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      const child = spawnNode('dist/server.js', {
        cwd: appDir,
        env: { PORT: '0', OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, LAMEDUCK_DRAIN_DELAY_MS: '0' },
      });
      const appPort = (await child.waitForLine(/^express-demo listening on port \d+$/)).split(' ').at(-1);
      expect((await request(`http://127.0.0.1:${appPort}/readyz`)).status).toBe(200);
      child.signal('SIGTERM');
      expect((await child.exited).code).toBe(0);
      expect(bodies.length).toBeGreaterThanOrEqual(1);
      const last = JSON.parse(bodies.at(-1) as string);
      type DataPoint = {
        attributes: { key: string; value: { stringValue?: string } }[];
        asInt?: string | number;
        asDouble?: number;
      };
      const metrics: { name: string; sum?: { dataPoints: DataPoint[] } }[] = last.resourceMetrics.flatMap(
        (resource: { scopeMetrics: { metrics: unknown[] }[] }) =>
          resource.scopeMetrics.flatMap((scope) => scope.metrics),
      );
      const outcome = metrics.find((metric) => metric.name === 'lameduck.shutdown.outcome');
      expect(
        outcome?.sum?.dataPoints.map((point) => [
          point.attributes[0]?.value.stringValue,
          Number(point.asInt ?? point.asDouble),
        ]),
      ).toEqual([['clean', 1]]);
      expect(metrics.map((metric) => metric.name)).toContain('lameduck.shutdown.phase.duration');
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
