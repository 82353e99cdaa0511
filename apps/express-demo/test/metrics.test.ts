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

describe('express-demo with METRICS_PORT', () => {
  it('serves lameduck metrics on /metrics, drains the metrics server with the app and exits 0', async () => {
    const child = spawnNode('dist/server.js', {
      cwd: appDir,
      env: { PORT: '0', METRICS_PORT: '0', LAMEDUCK_DRAIN_DELAY_MS: '0' },
    });
    const appPort = (await child.waitForLine(/^express-demo listening on port \d+$/)).split(' ').at(-1);
    const metricsPort = (await child.waitForLine(/^express-demo metrics on port \d+ at \/metrics$/)).split(' ')[4];
    expect((await request(`http://127.0.0.1:${appPort}/readyz`)).status).toBe(200);
    const scrape = await request(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scrape.status).toBe(200);
    const samples = parse(scrape.body);
    const sample = (name: string, labels: Record<string, string> = {}) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
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
    expect(child.stderr.trim()).toBe('express-demo: METRICS_PORT must be a port number from 0 to 65535, got "http"');
  });
});
