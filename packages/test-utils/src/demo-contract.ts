import { Agent, createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildHandle, killAllChildren, spawnNode } from './child-process.mjs';
import { request } from './http.js';
import { failures, startKeepAliveLoad } from './load.mjs';

/** Calls `get` every 200 ms until `done` holds (or 15 s pass), and returns the last answer. */
async function pollUntil<T>(
  get: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await get();
  while (!done(value) && Date.now() < deadline) {
    await sleep(200);
    value = await get();
  }
  return value;
}

/**
 * The black-box test every demo app passes (see ARCHITECTURE.md, Tests): the built demo (`node dist/server.js`,
 * what `pnpm start` runs) as a child process, driven only through HTTP and signals, as
 * Kubernetes drives it. Each demo prints "<name> listening on port N" once ready.
 */
export function runDemoContract(options: {
  name: string;
  appDir: string;
  /** Environment for every start (a demo on two platforms runs the contract once per platform). */
  env?: Record<string, string>;
}): void {
  const { name, appDir, env: baseEnv = {} } = options;
  const variant = Object.entries(baseEnv)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  const stubs: Server[] = [];
  afterEach(async () => {
    await killAllChildren();
    for (const stub of stubs.splice(0)) {
      stub.closeAllConnections();
      await new Promise((resolve) => stub.close(resolve));
    }
  });

  async function startDemo(env: Record<string, string> = {}): Promise<ChildHandle & { url: string }> {
    const child = spawnNode('dist/server.js', { cwd: appDir, env: { PORT: '0', ...baseEnv, ...env } });
    const line = await child.waitForLine(new RegExp(`^${name} listening on port \\d+$`));
    return Object.assign(child, { url: `http://127.0.0.1:${line.split(' ').at(-1)}` });
  }

  /** A fresh connection per request, as a kubelet probe makes. */
  const probe = (url: string) => request(url, { agent: new Agent({ keepAlive: false }) });

  describe(`${name}${variant ? ` with ${variant}` : ''} (built, as a child process)`, () => {
    it('serves the demo contract: /, /slow, probes, and refuses a bad ms', async () => {
      const demo = await startDemo();
      expect(await probe(`${demo.url}/`)).toMatchObject({ status: 200, body: `hello from ${name}\n` });
      expect(await probe(`${demo.url}/slow?ms=50`)).toMatchObject({ status: 200, body: 'slept 50 ms\n' });
      for (const bad of ['abc', '-1', '1.5', '999999999', '']) {
        expect((await probe(`${demo.url}/slow?ms=${bad}`)).status).toBe(400);
      }
      expect((await probe(`${demo.url}/livez`)).status).toBe(200);
      expect((await probe(`${demo.url}/startupz`)).status).toBe(200);
      expect((await probe(`${demo.url}/readyz`)).status).toBe(200);
    });

    it('drains keep-alive load across SIGTERM with zero failures; readiness 503, liveness 200; exit 0', async () => {
      const demo = await startDemo({ LAMEDUCK_DRAIN_DELAY_MS: '1500', LAMEDUCK_DRAIN_TIMEOUT_MS: '8000' });
      const load = startKeepAliveLoad(`${demo.url}/`, 30);
      const slow = request(`${demo.url}/slow?ms=1800`, { agent: new Agent({ keepAlive: true }) });
      // Enough load to mean something, but SIGTERM well inside the slow request.
      await load.waitForRequests(50, { minMs: 300, maxMs: 1000 });
      demo.signal('SIGTERM');
      await demo.waitForLine(/state ready -> draining \(SIGTERM\)/);
      load.mark();
      expect((await probe(`${demo.url}/readyz`)).status).toBe(503);
      expect((await probe(`${demo.url}/livez`)).status).toBe(200);
      await sleep(300); // the load balancer catches up ~500 ms after SIGTERM
      const report = await load.stop();
      expect(await slow).toMatchObject({
        status: 200,
        body: 'slept 1800 ms\n',
        headers: { connection: 'close' },
      });
      const exit = await demo.exited;

      expect(failures(report)).toBe(0);
      expect(report.requests).toBeGreaterThan(20);
      expect(report.statuses).toEqual({ 200: report.requests });
      expect(report.afterMark).toBeGreaterThan(0);
      expect(report.afterMarkWithoutClose).toBe(0);
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(demo.lines).toContainEqual(
        expect.stringMatching(/shutdown complete in \d+ ms: forced no, 0 failed hook\(s\), exit code 0/),
      );
    });

    it('cuts a request longer than the drain timeout and exits 1', async () => {
      const demo = await startDemo({ LAMEDUCK_DRAIN_DELAY_MS: '0', LAMEDUCK_DRAIN_TIMEOUT_MS: '500' });
      const slow = request(`${demo.url}/slow?ms=30000`).then(
        () => 'answered',
        () => 'cut',
      );
      await sleep(200);
      demo.signal('SIGTERM');
      const exit = await demo.exited;
      expect(await slow).toBe('cut');
      expect(exit).toMatchObject({ code: 1, signal: null });
      expect(exit.atMs).toBeLessThan(15_000);
    });

    it('shows a failing dependency: readiness 503 while liveness stays 200', async () => {
      let healthy = true;
      const upstream = createServer((_request, response) => {
        response.writeHead(healthy ? 200 : 503).end();
      });
      stubs.push(upstream);
      await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
      const address = upstream.address();
      const upstreamUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/healthz`;
      const demo = await startDemo({ READY_DEPENDENCY_URL: upstreamUrl });

      expect(await probe(`${demo.url}/readyz?verbose`)).toMatchObject({
        status: 200,
        body: expect.stringContaining('[+]dependency ok'),
      });
      healthy = false;
      // Past the 1 s readiness cache; polled, since a busy machine may need a little longer.
      const failing = await pollUntil(
        () => probe(`${demo.url}/readyz?verbose`),
        (answer) => answer.status === 503,
      );
      expect(failing.body).toContain('[-]dependency failed\n');
      expect((await probe(`${demo.url}/livez`)).status).toBe(200);
      healthy = true;
      const recovered = await pollUntil(
        () => probe(`${demo.url}/readyz`),
        (answer) => answer.status === 200,
      );
      expect(recovered.status).toBe(200);
    });

    it.each([
      [
        { LAMEDUCK_DRAIN_TIMEOUT_MS: 'soon' },
        `${name}: LAMEDUCK_DRAIN_TIMEOUT_MS must be a whole number of milliseconds`,
      ],
      [{ PORT: 'http' }, `${name}: PORT must be an integer from 0 to 65535, got "http"`],
      [{ READY_DEPENDENCY_URL: 'db:5432' }, `${name}: READY_DEPENDENCY_URL: httpCheck needs an http(s) URL`],
      [
        {
          TERMINATION_GRACE_PERIOD_SECONDS: '10',
          LAMEDUCK_DRAIN_DELAY_MS: '5000',
          LAMEDUCK_BUDGET: 'refuse',
        },
        `${name}: the shutdown can take up to 30350 ms`,
      ],
    ])('bad configuration %o: one line on stderr, exit 2', async (env, message) => {
      const child = spawnNode('dist/server.js', { cwd: appDir, env: { PORT: '0', ...baseEnv, ...env } });
      const exit = await child.exited;
      expect(exit.code).toBe(2);
      expect(child.stderr).toContain(message);
      expect(child.stderr.startsWith(message)).toBe(true);
      expect(child.stderr.trimEnd().split('\n')).toHaveLength(1); // no stack trace
    });

    it('a grace period from the environment too short for the budget: starts fitted, says what it cut in one line, drains, exit 0', async () => {
      const child = spawnNode('dist/server.js', {
        cwd: appDir,
        env: {
          PORT: '0',
          ...baseEnv,
          TERMINATION_GRACE_PERIOD_SECONDS: '10',
          LAMEDUCK_DRAIN_DELAY_MS: '500',
        },
      });
      await child.waitForLine((line) => line.includes('listening on port'), 15_000);
      child.child.kill('SIGTERM');
      const exit = await child.exited;
      expect(exit.code).toBe(0);
      // The logger may write warnings to either stream.
      const output = [...child.lines, ...child.stderr.split('\n')];
      const fitted = output.filter((line) => line.includes('started anyway'));
      expect(fitted).toHaveLength(1);
      expect(fitted[0]).toContain('drainTimeoutMs 20000 -> ');
      expect(fitted[0]).toContain('LAMEDUCK_BUDGET=refuse');
    });
  });
}
