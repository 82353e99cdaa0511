import { type AddressInfo, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeLameduck, NodeLameduckOptions } from '@lameduck/core/node';
import { afterEach, describe, expect, it } from 'vitest';
import { request, type SimpleResponse } from './http.js';
import { failures, startKeepAliveLoad } from './load.mjs';

/** The parts of an adapter's lifecycle the suite drives. */
export type DrainedLifecycle = Pick<NodeLameduck, 'state' | 'ready' | 'check' | 'shutdown'>;

/** Options the suite passes. */
export type SuiteOptions = Pick<
  NodeLameduckOptions,
  'logger' | 'signals' | 'exitOnSignal' | 'drainDelayMs' | 'drainTimeoutMs'
>;

/**
 * What an adapter's test gives the suite: a way to start a real server of its framework, with
 * lameduck wired the way the adapter's README says, serving these routes:
 *   GET /            → 200 "hello"
 *   GET /slow?ms=N   → 200 "slow" after N ms
 *   GET /boom        → the route throws; the framework's error handling answers 500
 */
export interface AdapterHarness {
  readonly framework: string;
  start(options: SuiteOptions): Promise<RunningApp>;
}

export interface RunningApp {
  /** Base URL, e.g. http://127.0.0.1:43121 */
  readonly url: string;
  readonly lameduck: DrainedLifecycle;
  /** Stops the server if the test did not shut it down. */
  close(): Promise<void>;
}

/**
 * What a harness returns once its server listens (a server on 127.0.0.1, or the URL): the URL, and
 * a close() that shuts the lifecycle down unless the test already did.
 */
export function runningApp(
  lameduck: DrainedLifecycle,
  at: string | { address(): AddressInfo | string | null },
): RunningApp {
  return {
    url: typeof at === 'string' ? at : `http://127.0.0.1:${(at.address() as AddressInfo).port}`,
    lameduck,
    close: async () => {
      if (lameduck.state !== 'closed') await lameduck.shutdown('test finished');
    },
  };
}

/**
 * For a test file of in-process tests: a maker of quiet lifecycles (no logger, no signal
 * handlers, no exit, no drain delay), each shut down after its test unless the test did.
 * Call it at the top of the file: it registers the afterEach.
 */
export function lifecyclesForTests<L extends DrainedLifecycle>(
  create: (options: SuiteOptions) => L,
): () => L {
  const made: L[] = [];
  afterEach(async () => {
    for (const lameduck of made.splice(0)) {
      if (lameduck.state !== 'closed') await lameduck.shutdown('test finished');
    }
  });
  return () => {
    const lameduck = create({ ...QUIET, drainDelayMs: 0 });
    made.push(lameduck);
    return lameduck;
  };
}

/** In-process tests drive the shutdown themselves: no signal handlers, no process.exit. */
const QUIET: SuiteOptions = { logger: false, signals: false, exitOnSignal: false };

/**
 * The behaviours every adapter must show against a real server of its framework. Signals and exit
 * codes are covered per demo app with child processes; here the shutdown is programmatic.
 */
export function runConformanceSuite(harness: AdapterHarness): void {
  describe(`${harness.framework} conformance`, () => {
    const running: RunningApp[] = [];
    const start = async (options: SuiteOptions = {}) => {
      const app = await harness.start({ ...QUIET, drainDelayMs: 0, drainTimeoutMs: 5_000, ...options });
      running.push(app);
      return app;
    };
    afterEach(async () => {
      await Promise.all(running.splice(0).map((app) => app.close()));
    });

    describe('probes', () => {
      it('answers /livez, /startupz and /readyz through core, and leaves app routes alone', async () => {
        const { url, lameduck } = await start();
        expect((await request(`${url}/livez`)).status).toBe(200);
        expect((await request(`${url}/startupz`)).status).toBe(503);
        expect((await request(`${url}/readyz`)).status).toBe(503);
        lameduck.ready();
        const ready = await request(`${url}/readyz`);
        expect(ready).toMatchObject({ status: 200, body: 'ok\n' });
        expect(ready.headers['cache-control']).toBe('no-store');
        expect(ready.headers['content-type']).toBe('text/plain; charset=utf-8');
        expect((await request(`${url}/startupz`)).status).toBe(200);
        expect(await request(`${url}/`)).toMatchObject({ status: 200, body: 'hello' });
      });

      it('serves verbose text, health+json, and per-check paths exactly as core answers them', async () => {
        const { url, lameduck } = await start();
        lameduck.check('db', async () => {});
        lameduck.check('cache', async () => Promise.reject(new Error('down')), { critical: false });
        lameduck.ready();
        const verbose = await request(`${url}/readyz?verbose`);
        expect(verbose.status).toBe(200);
        expect(verbose.body).toBe(
          '[+]lifecycle ok\n[+]db ok\n[!]cache warn\nreadiness check passed with warnings\n',
        );
        const json = await request(`${url}/readyz`, { headers: { accept: 'application/health+json' } });
        expect(json.headers['content-type']).toBe('application/health+json');
        const parsed = JSON.parse(json.body);
        expect(parsed.status).toBe('warn');
        expect(parsed.checks.db[0].status).toBe('pass');
        // probeDetail 'names' (the default): names and statuses, no durations, timestamps or state.
        expect(parsed.checks.cache[0]).toEqual({ componentId: 'cache', status: 'warn' });
        expect(parsed).not.toHaveProperty('state');
        expect(await request(`${url}/readyz/db`)).toMatchObject({ status: 200, body: 'ok\n' });
        expect((await request(`${url}/readyz/missing`)).status).toBe(404);
        expect((await request(`${url}/readyz/%2e%2e%2fadmin`)).status).toBe(404);
      });

      it('answers HEAD without a body, and other methods with 405 and Allow', async () => {
        const { url, lameduck } = await start();
        lameduck.ready();
        const head = await request(`${url}/readyz`, { method: 'HEAD' });
        expect(head.status).toBe(200);
        expect(head.body).toBe('');
        expect(head.headers['cache-control']).toBe('no-store');
        for (const method of ['POST', 'PUT', 'DELETE']) {
          const refused = await request(`${url}/livez`, { method });
          expect(refused.status).toBe(405);
          expect(refused.headers.allow).toBe('GET, HEAD');
        }
      });
    });

    describe('HTTP details', () => {
      it('answers HEAD with the Content-Length that GET sends (RFC 9110 §9.3.2)', async () => {
        const { url, lameduck } = await start();
        lameduck.check('db', async () => {});
        lameduck.ready();
        for (const path of ['/readyz', '/readyz?verbose', '/livez', '/readyz/db', '/readyz/missing']) {
          const get = await request(`${url}${path}`);
          const head = await request(`${url}${path}`, { method: 'HEAD' });
          expect(get.headers['content-length'], `GET ${path}`).toBe(String(Buffer.byteLength(get.body)));
          expect(head.status, `HEAD ${path}`).toBe(get.status);
          expect(head.headers['content-length'], `HEAD ${path}`).toBe(get.headers['content-length']);
          expect(head.body).toBe('');
        }
      });

      it('honours Accept q-values and says Vary: Accept', async () => {
        const { url, lameduck } = await start();
        lameduck.ready();
        const text = await request(`${url}/readyz`, {
          headers: { accept: 'text/plain, application/health+json;q=0.1' },
        });
        expect(text).toMatchObject({ status: 200, body: 'ok\n' });
        expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
        expect(text.headers.vary).toMatch(/\baccept\b/i);
        const json = await request(`${url}/readyz`, {
          headers: { accept: 'text/plain;q=0.1, application/health+json' },
        });
        expect(json.headers['content-type']).toBe('application/health+json');
        expect(json.headers.vary).toMatch(/\baccept\b/i);
      });

      it('answers probes sent in absolute form (RFC 9112 §3.2.2), and leaves other absolute targets to the app', async () => {
        const { url, lameduck } = await start();
        lameduck.ready();
        const probe = await rawRequest(url, `GET ${url}/readyz?verbose HTTP/1.1`);
        expect(probe.status).toBe(200);
        expect(probe.body).toBe('[+]lifecycle ok\nreadiness check passed\n');
        expect((await rawRequest(url, `GET ${url}/livez HTTP/1.1`)).status).toBe(200);
        expect(await rawRequest(url, `GET ${url}/ HTTP/1.1`)).toMatchObject({ status: 200, body: 'hello' });
      });

      it('matches the raw target: encoded dot segments are check names, never resolved to another path', async () => {
        const { url, lameduck } = await start();
        lameduck.ready();
        for (const target of [
          '/readyz/%2e%2e/livez',
          '/readyz/%2e%2e',
          '/readyz/%2E%2E/',
          '/livez/%2e%2e/readyz',
        ]) {
          const response = await rawRequest(url, `GET ${target} HTTP/1.1`);
          expect(response.status, target).toBe(404);
          expect(response.body, target).toMatch(/^no (readiness|liveness) check /);
        }
      });
    });

    describe('drain', () => {
      it('fails readiness at once when the drain starts, keeps liveness at 200, and closes connections', async () => {
        const { url, lameduck } = await start({ drainDelayMs: 600 });
        lameduck.ready();
        const shutdown = lameduck.shutdown('test');
        const readiness = await request(`${url}/readyz`);
        expect(readiness.status).toBe(503);
        expect(readiness.headers['cache-control']).toBe('no-store');
        const liveness = await request(`${url}/livez`);
        expect(liveness.status).toBe(200);
        const page = await request(`${url}/`);
        expect(page.status).toBe(200);
        expect(page.headers.connection).toBe('close');
        const result = await shutdown;
        expect(result.forced).toBe(false);
        expect(result.exitCode).toBe(0);
      });

      it('drops no request from keep-alive clients that stop inside the drain delay', async () => {
        const { url, lameduck } = await start({ drainDelayMs: 2000 });
        lameduck.ready();
        const load = startKeepAliveLoad(`${url}/`, 16);
        // Counts, not sleeps: on a busy machine the clients need longer to get going.
        await until(() => load.report.requests >= 50, 10_000);
        load.mark();
        const shutdown = lameduck.shutdown('test');
        // The clients stop inside the delay, as load balancers do once the endpoint is gone.
        const markedAt = Date.now();
        await until(() => load.report.afterMark >= 16 && Date.now() - markedAt >= 300, 1_200);
        const report = await load.stop();
        const result = await shutdown;
        expect(report.errors).toEqual({});
        expect(failures(report)).toBe(0);
        expect(report.requests).toBeGreaterThan(50);
        expect(report.afterMark).toBeGreaterThan(0);
        expect(report.afterMarkWithoutClose).toBe(0);
        expect(result.forced).toBe(false);
      });

      it('lets an in-flight request finish', async () => {
        const { url, lameduck } = await start();
        lameduck.ready();
        const slow = request(`${url}/slow?ms=700`);
        await sleep(100);
        const startedAt = Date.now();
        const result = await lameduck.shutdown('test');
        expect(await slow).toMatchObject({ status: 200, body: 'slow' });
        expect(result.forced).toBe(false);
        expect(Date.now() - startedAt).toBeGreaterThanOrEqual(450);
      });

      it('cuts a request that outlives the drain timeout, and says the shutdown was forced', async () => {
        const { url, lameduck } = await start({ drainTimeoutMs: 400 });
        lameduck.ready();
        const slow = request(`${url}/slow?ms=20000`).then(
          () => 'answered',
          (error: NodeJS.ErrnoException) => error.code ?? error.message,
        );
        await sleep(100);
        const startedAt = Date.now();
        const result = await lameduck.shutdown('test');
        expect(Date.now() - startedAt).toBeLessThan(5_000);
        expect(result.forced).toBe(true);
        expect(result.exitCode).toBe(1);
        expect(await slow).not.toBe('answered');
      });

      it('keeps draining when a route throws during the drain', async () => {
        const { url, lameduck } = await start({ drainDelayMs: 500 });
        lameduck.ready();
        const shutdown = lameduck.shutdown('test');
        const boom = await request(`${url}/boom`);
        expect(boom.status).toBe(500);
        expect(boom.headers.connection).toBe('close');
        expect((await request(`${url}/`)).status).toBe(200);
        const result = await shutdown;
        expect(result.forced).toBe(false);
        expect(result.exitCode).toBe(0);
      });
    });
  });
}

/**
 * One request written by hand on a raw socket, so the target reaches the server exactly as
 * written (Node's client would resolve dot segments, and cannot send absolute form).
 */
function rawRequest(url: string, requestLine: string): Promise<SimpleResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: text.slice(split + 4) });
    });
    // write, not end: a client that half-closes may see a handler give up on it.
    socket.write(`${requestLine}\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`);
  });
}

/** Polls `done` every 10 ms until it holds or `timeoutMs` passes (the assertions then tell). */
async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await sleep(10);
}
