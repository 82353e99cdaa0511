import { fileURLToPath } from 'node:url';
import { killAllChildren, request, spawnNode } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { MetricPoint, SpanView } from './support/telemetry.mjs';

// A real child process on the real OpenTelemetry SDK: a check goes pass -> fail -> pass, then
// SIGTERM drains a request in flight; the test asserts the metrics and spans that come out.
// Child processes use the built output (pnpm build).

afterEach(() => killAllChildren());

const fixture = fileURLToPath(new URL('./fixtures/instrumented-server.mjs', import.meta.url));

type Metrics = Record<string, { unit: string; points: MetricPoint[] }>;
const points = (metrics: Metrics, name: string) => metrics[name]?.points ?? [];
const value = (metrics: Metrics, name: string, attributes: Record<string, unknown> = {}) =>
  points(metrics, name).find((point) =>
    Object.entries(attributes).every(([key, wanted]) => point.attributes[key] === wanted),
  )?.value;

describe('@lameduck/opentelemetry on the real SDK, through a SIGTERM drain', () => {
  it('records check pass -> fail -> pass, live gauges during the drain delay, the phases, the outcome and one shutdown span', async () => {
    const child = spawnNode(fixture, { env: { DRAIN_DELAY_MS: '3000' } });
    const { port } = await child.waitForEvent('listening');
    const base = `http://127.0.0.1:${port}`;
    const snapshot = async () => JSON.parse((await request(`${base}/snapshot`)).body) as Metrics;

    expect((await request(`${base}/readyz`)).status).toBe(200);
    const afterPass = await snapshot();
    expect(points(afterPass, 'lameduck.check.status')).toEqual([
      { attributes: { 'lameduck.check.name': 'db', 'lameduck.check.status': 'pass' }, value: 1 },
      { attributes: { 'lameduck.check.name': 'db', 'lameduck.check.status': 'warn' }, value: 0 },
      { attributes: { 'lameduck.check.name': 'db', 'lameduck.check.status': 'fail' }, value: 0 },
    ]);
    expect(value(afterPass, 'lameduck.lifecycle.state', { 'lameduck.lifecycle.state': 'ready' })).toBe(1);

    await request(`${base}/health?ok=0`);
    expect((await request(`${base}/readyz`)).status).toBe(503);
    const afterFail = await snapshot();
    expect(value(afterFail, 'lameduck.check.status', { 'lameduck.check.status': 'fail' })).toBe(1);
    expect(value(afterFail, 'lameduck.check.status', { 'lameduck.check.status': 'pass' })).toBe(0);

    await request(`${base}/health?ok=1`);
    expect((await request(`${base}/readyz`)).status).toBe(200);

    const slow = request(`${base}/slow?ms=4000`);
    await child.waitForEvent('slow');
    child.signal('SIGTERM');
    await child.waitForEvent('shutdown-start');
    // During the drain delay the listener is still open: the live figures, as a scrape sees them.
    const duringDelay = await snapshot();
    expect(value(duringDelay, 'lameduck.lifecycle.state', { 'lameduck.lifecycle.state': 'draining' })).toBe(
      1,
    );
    expect(value(duringDelay, 'lameduck.lifecycle.state', { 'lameduck.lifecycle.state': 'ready' })).toBe(0);
    expect(value(duringDelay, 'lameduck.requests.in_flight')).toBe(2); // /slow and this /snapshot
    expect(value(duringDelay, 'lameduck.connections.open')).toBeGreaterThanOrEqual(2);
    expect(duringDelay['lameduck.shutdown.outcome']).toBeUndefined();
    expect((await slow).body).toBe('slow');

    const { metrics, spans } = (await child.waitForEvent('telemetry', 20_000)) as unknown as {
      metrics: Metrics;
      spans: SpanView[];
    };
    expect((await child.exited).code).toBe(0);

    // Checks: the last status, and one histogram point per status with its call count.
    expect(value(metrics, 'lameduck.check.status', { 'lameduck.check.status': 'pass' })).toBe(1);
    expect(metrics['lameduck.check.duration']?.unit).toBe('s');
    expect(
      points(metrics, 'lameduck.check.duration').map((p) => [
        p.attributes,
        (p.value as { count: number }).count,
      ]),
    ).toEqual([
      [{ 'lameduck.check.name': 'db', 'lameduck.check.status': 'pass' }, 2],
      [{ 'lameduck.check.name': 'db', 'lameduck.check.status': 'fail' }, 1],
    ]);
    // Shutdown: one clean outcome, each phase once, durations in seconds.
    expect(points(metrics, 'lameduck.shutdown.outcome')).toEqual([
      { attributes: { 'lameduck.shutdown.outcome': 'clean' }, value: 1 },
    ]);
    const phase = (name: string) =>
      value(metrics, 'lameduck.shutdown.phase.duration', { 'lameduck.shutdown.phase': name }) as {
        count: number;
        sum: number;
      };
    expect(phase('drain_delay').count).toBe(1);
    expect(phase('drain_delay').sum).toBeGreaterThanOrEqual(2.99);
    expect(phase('drain_delay').sum).toBeLessThan(10);
    expect(phase('drain').count).toBe(1);
    expect(phase('drain').sum).toBeLessThan(5);
    expect(phase('cleanup').sum).toBeGreaterThanOrEqual(0.045);
    expect(value(metrics, 'lameduck.lifecycle.state', { 'lameduck.lifecycle.state': 'closed' })).toBe(1);
    expect(value(metrics, 'lameduck.requests.in_flight')).toBe(0);

    // One shutdown span, its three phases as children, the steps and hooks as its events.
    expect(spans.map((span) => [span.name, span.parent]).sort()).toEqual([
      ['lameduck.shutdown', null],
      ['lameduck.shutdown.cleanup', 'lameduck.shutdown'],
      ['lameduck.shutdown.drain', 'lameduck.shutdown'],
      ['lameduck.shutdown.drain_delay', 'lameduck.shutdown'],
    ]);
    const root = spans.find((span) => span.name === 'lameduck.shutdown');
    expect(root?.attributes).toEqual({
      'lameduck.shutdown.reason': 'SIGTERM',
      'lameduck.shutdown.signal': 'SIGTERM',
      'lameduck.shutdown.requests.in_flight': 1,
      'lameduck.shutdown.connections.open': expect.any(Number),
      'lameduck.shutdown.outcome': 'clean',
      'lameduck.shutdown.forced': false,
      'lameduck.shutdown.exit_code': 0,
      'lameduck.shutdown.connections.destroyed': 0,
      'lameduck.shutdown.requests.abandoned': 0,
      'lameduck.shutdown.hooks.failed': 0,
    });
    expect(root?.status).toBe(0); // UNSET: nothing went wrong
    expect(root?.events.map((event) => event.name)).toEqual(['listeners closing', 'drained', 'hook']);
    expect(root?.events[2]?.attributes).toMatchObject({
      'lameduck.hook.name': 'pool',
      'lameduck.hook.phase': 'cleanup',
      'lameduck.hook.ok': true,
    });
    const delay = spans.find((span) => span.name === 'lameduck.shutdown.drain_delay');
    expect((delay?.endMs ?? 0) - (delay?.startMs ?? 0)).toBeGreaterThanOrEqual(2990);
    for (const span of spans) {
      expect(span.startMs).toBeGreaterThanOrEqual(root?.startMs ?? 0);
      expect(span.endMs).toBeLessThanOrEqual(root?.endMs ?? 0);
    }
  });
});
