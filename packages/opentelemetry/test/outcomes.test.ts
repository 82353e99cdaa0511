import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeLameduck, type NodeLameduck, respondToNode } from '@lameduck/core/node';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { request } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentLameduck, type LameduckInstrumentation } from '../src/index.js';
import { createTelemetry } from './support/telemetry.mjs';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function instrument(options: Parameters<typeof instrumentLameduck>[0]): LameduckInstrumentation {
  const instrumentation = instrumentLameduck(options);
  cleanups.push(() => instrumentation.stop());
  return instrumentation;
}

function lifecycle(options: Parameters<typeof createNodeLameduck>[0] = {}): NodeLameduck {
  const lameduck = createNodeLameduck({
    logger: false,
    signals: false,
    env: false,
    drainDelayMs: 0,
    ...options,
  });
  cleanups.push(() => lameduck.dispose());
  return lameduck;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return (server.address() as AddressInfo).port;
}

describe('shutdown outcomes', () => {
  it('counts a drain cut at its deadline as forced, with what was cut on the span, and an ERROR status', async () => {
    const telemetry = createTelemetry();
    instrument({ meterProvider: telemetry.meterProvider, tracerProvider: telemetry.tracerProvider });
    const lameduck = lifecycle({ drainTimeoutMs: 300 });
    const port = await listen(lameduck.attach(createServer(() => {}))); // never answers
    lameduck.ready();
    const hanging = request(`http://127.0.0.1:${port}/`).catch((error: Error) => error);
    while (lameduck.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await lameduck.shutdown('test')).forced).toBe(true);
    expect(await hanging).toBeInstanceOf(Error);
    const metrics = await telemetry.metrics();
    expect(metrics['lameduck.shutdown.outcome']?.points).toEqual([
      { attributes: { 'lameduck.shutdown.outcome': 'forced' }, value: 1 },
    ]);
    const root = telemetry.spans().find((span) => span.name === 'lameduck.shutdown');
    expect(root?.status).toBe(2); // ERROR
    expect(root?.attributes).toMatchObject({
      'lameduck.shutdown.outcome': 'forced',
      'lameduck.shutdown.forced': true,
      'lameduck.shutdown.exit_code': 1,
      'lameduck.shutdown.connections.destroyed': 1,
      'lameduck.shutdown.requests.abandoned': 1,
    });
    const drain = telemetry.spans().find((span) => span.name === 'lameduck.shutdown.drain');
    expect(drain?.attributes).toEqual({
      'lameduck.shutdown.connections.destroyed': 1,
      'lameduck.shutdown.requests.abandoned': 1,
    });
  });

  it('counts a clean drain with a failing cleanup hook as failed_hooks, the hook event naming the error', async () => {
    const telemetry = createTelemetry();
    instrument({ meterProvider: telemetry.meterProvider, tracerProvider: telemetry.tracerProvider });
    const lameduck = lifecycle();
    lameduck.onCleanup('flush', () => {
      throw new Error('broker gone');
    });
    await listen(lameduck.attach(createServer((_request, response) => response.end())));
    lameduck.ready();
    expect((await lameduck.shutdown('test')).exitCode).toBe(1);
    expect((await telemetry.metrics())['lameduck.shutdown.outcome']?.points).toEqual([
      { attributes: { 'lameduck.shutdown.outcome': 'failed_hooks' }, value: 1 },
    ]);
    const root = telemetry.spans().find((span) => span.name === 'lameduck.shutdown');
    expect(root?.events.find((event) => event.name === 'hook')?.attributes).toMatchObject({
      'lameduck.hook.name': 'flush',
      'lameduck.hook.ok': false,
      'lameduck.hook.error': 'broker gone',
    });
  });

  it('observes a lifecycle passed in before its first event, and records nothing after stop()', async () => {
    const telemetry = createTelemetry();
    const lameduck = lifecycle();
    const instrumentation = instrument({
      meterProvider: telemetry.meterProvider,
      tracerProvider: telemetry.tracerProvider,
      lifecycles: [lameduck],
    });
    const state = async () =>
      (await telemetry.metrics())['lameduck.lifecycle.state']?.points.find((p) => p.value === 1)?.attributes;
    expect(await state()).toEqual({ 'lameduck.lifecycle.state': 'starting' });
    instrumentation.stop();
    lameduck.check('db', () => {});
    lameduck.ready();
    await lameduck.probe('readiness');
    await lameduck.shutdown('test');
    const metrics = await telemetry.metrics();
    expect(metrics['lameduck.check.duration']).toBeUndefined();
    expect(metrics['lameduck.shutdown.outcome']).toBeUndefined();
    expect(telemetry.spans()).toEqual([]);
  });
});

describe('work held with track()', () => {
  it('is observed as lameduck.work.in_flight while it runs, 0 once it settled', async () => {
    const telemetry = createTelemetry();
    const lameduck = lifecycle();
    instrument({
      meterProvider: telemetry.meterProvider,
      tracerProvider: telemetry.tracerProvider,
      lifecycles: [lameduck],
    });
    const work = async () => (await telemetry.metrics())['lameduck.work.in_flight']?.points[0]?.value;
    let finish: () => void = () => {};
    const job = lameduck.track(new Promise<void>((resolve) => (finish = resolve)), 'job');
    expect(await work()).toBe(1);
    finish();
    await job;
    expect(await work()).toBe(0);
  });
});

describe('through the Prometheus exporter', () => {
  it('serves the metrics on a real /metrics endpoint, scraped and parsed', async () => {
    const exporter = new PrometheusExporter({ preventServerStart: true });
    const meterProvider = new MeterProvider({ readers: [exporter] });
    cleanups.push(() => meterProvider.shutdown());
    instrument({ meterProvider });
    const lameduck = lifecycle();
    let healthy = false;
    lameduck.check(
      'db',
      () => {
        if (!healthy) throw new Error('down');
      },
      { cacheTtlMs: 0 },
    );
    const port = await listen(
      lameduck.attach(
        createServer((req, response) => {
          if (req.url === '/metrics') exporter.getMetricsRequestHandler(req, response);
          else if (!respondToNode(lameduck, req, response)) response.end('hello');
        }),
      ),
    );
    lameduck.ready();
    await lameduck.probe('readiness');
    healthy = true;
    await lameduck.probe('readiness');

    const scrape = await request(`http://127.0.0.1:${port}/metrics`);
    expect(scrape.status).toBe(200);
    expect(scrape.headers['content-type']).toMatch(/^text\/plain/);
    // Prometheus text format: `name{label="value",...} number`, comments starting with #.
    const types = new Map<string, string>();
    const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
    for (const line of scrape.body.split('\n')) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) types.set(type[1] as string, type[2] as string);
      const sample = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!sample) continue;
      const labels = Object.fromEntries(
        [...(sample[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
      );
      samples.push({ name: sample[1] as string, labels, value: Number(sample[3]) });
    }
    const sample = (name: string, labels: Record<string, string> = {}) =>
      samples.find(
        (s) => s.name === name && Object.entries(labels).every(([key, wanted]) => s.labels[key] === wanted),
      )?.value;
    expect(types.get('lameduck_check_status')).toBe('gauge');
    expect(types.get('lameduck_check_duration')).toBe('histogram');
    expect(types.get('lameduck_requests_in_flight')).toBe('gauge');
    expect(types.get('lameduck_lifecycle_state')).toBe('gauge');
    const db = { lameduck_check_name: 'db' };
    expect(sample('lameduck_check_status', { ...db, lameduck_check_status: 'pass' })).toBe(1);
    expect(sample('lameduck_check_status', { ...db, lameduck_check_status: 'fail' })).toBe(0);
    expect(sample('lameduck_check_duration_count', { ...db, lameduck_check_status: 'fail' })).toBe(1);
    expect(sample('lameduck_check_duration_count', { ...db, lameduck_check_status: 'pass' })).toBe(1);
    expect(
      sample('lameduck_check_duration_bucket', { ...db, lameduck_check_status: 'pass', le: '+Inf' }),
    ).toBe(1);
    expect(sample('lameduck_lifecycle_state', { lameduck_lifecycle_state: 'ready' })).toBe(1);
    expect(sample('lameduck_lifecycle_state', { lameduck_lifecycle_state: 'starting' })).toBe(0);
    expect(sample('lameduck_requests_in_flight')).toBe(1); // the scrape itself
    expect(sample('lameduck_connections_open')).toBe(1);
  });
});
