// The Hono middleware on the runtimes beyond Node, each a real child process of that runtime:
// probes on Bun, Deno and workerd (Cloudflare Workers), and the whole drain on Bun and Deno.

import { copyFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  type ChildHandle,
  failures,
  killAllChildren,
  request,
  spawnCommand,
  startKeepAliveLoad,
} from 'lameduck-test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertInstalled, bundleFixture, locateRuntime, type RuntimeName } from './support.js';

/** A fresh connection per request, as a kubelet probe makes. */
const probe = (url: string, options: Parameters<typeof request>[1] = {}) =>
  request(url, { agent: new Agent({ keepAlive: false }), ...options });

/** What every runtime's probes must answer, as the conformance suite asks of the Node adapters. */
async function expectProbes(url: string) {
  expect((await probe(`${url}/livez`)).status).toBe(200);
  const ready = await probe(`${url}/readyz`);
  expect(ready).toMatchObject({ status: 200, body: 'ok\n' });
  expect(ready.headers['cache-control']).toBe('no-store');
  expect(ready.headers['content-type']).toBe('text/plain; charset=utf-8');
  expect(await probe(`${url}/readyz?verbose`)).toMatchObject({
    status: 200,
    body: '[+]lifecycle ok\n[+]pool ok\nreadiness check passed\n',
  });
  const json = await probe(`${url}/readyz`, { headers: { accept: 'application/health+json' } });
  expect(json.headers['content-type']).toBe('application/health+json');
  expect(JSON.parse(json.body)).toMatchObject({ status: 'pass' });
  expect((await probe(`${url}/readyz/pool`)).status).toBe(200);
  expect((await probe(`${url}/readyz/missing`)).status).toBe(404);
  const head = await probe(`${url}/readyz`, { method: 'HEAD' });
  expect(head).toMatchObject({ status: 200, body: '' });
  const post = await probe(`${url}/livez`, { method: 'POST' });
  expect(post.status).toBe(405);
  expect(post.headers.allow).toBe('GET, HEAD');
  expect(await probe(`${url}/`)).toMatchObject({ status: 200, body: 'hello' });
  expect(await probe(`${url}/deadline`)).toMatchObject({ status: 200, body: 'false' });
}

const DRAINING_RUNTIMES: { name: RuntimeName; fixture: string; args: (file: string) => string[] }[] = [
  { name: 'bun', fixture: 'bun-server.ts', args: (file) => ['run', file] },
  { name: 'deno', fixture: 'deno-server.ts', args: (file) => ['run', '--allow-net', '--allow-env', file] },
];

for (const runtime of DRAINING_RUNTIMES) {
  const located = locateRuntime(runtime.name);
  describe.skipIf(located.skipReason !== undefined)(
    located.skipReason === undefined
      ? `@lameduck/hono/${runtime.name} on ${runtime.name}`
      : `@lameduck/hono/${runtime.name} — SKIPPED: ${located.skipReason}`,
    () => {
      let bundle: { dir: string; outfile: string };
      beforeAll(async () => {
        assertInstalled(runtime.name, located.binary!);
        bundle = await bundleFixture(runtime.fixture, 'neutral', 'server.js');
      });
      afterAll(() => rmSync(bundle.dir, { recursive: true, force: true }));
      afterEach(killAllChildren);

      async function start(env: Record<string, string> = {}): Promise<ChildHandle & { url: string }> {
        const child = spawnCommand(located.binary!, runtime.args(bundle.outfile), { env, cwd: bundle.dir });
        const line = await child.waitForLine(/^listening on port \d+$/);
        return Object.assign(child, { url: `http://127.0.0.1:${line.split(' ').at(-1)}` });
      }

      it('answers the probes through the middleware', async () => {
        const server = await start();
        await expectProbes(server.url);
      });

      it('drains across SIGTERM: readiness 503, keep-alive load without a failure, in-flight done, cleanup, exit 0', async () => {
        const server = await start({ DRAIN_DELAY_MS: '1200', DRAIN_TIMEOUT_MS: '8000' });
        const load = startKeepAliveLoad(`${server.url}/`, 10);
        const slow = request(`${server.url}/slow?ms=3000`, { agent: new Agent({ keepAlive: true }) });
        // Enough load to mean something, but SIGTERM well inside the slow request.
        await load.waitForRequests(50, { minMs: 300, maxMs: 1500 });
        server.signal('SIGTERM');
        await server.waitForLine(/state ready -> draining \(SIGTERM\)/);
        load.mark();
        expect((await probe(`${server.url}/readyz`)).status).toBe(503);
        expect((await probe(`${server.url}/livez`)).status).toBe(200);
        await sleep(300); // the load balancer catches up
        const report = await load.stop();
        // After the delay the server stops accepting: new connections are refused while /slow runs.
        // (The runtime closes its listener asynchronously: one that lands in between may be reset.)
        await server.waitForLine(/stopped accepting connections; waiting for 1 request\(s\) in flight/);
        const late: string[] = [];
        while (late.at(-1) !== 'ECONNREFUSED' && late.length < 20) {
          late.push(
            await probe(`${server.url}/`).then(
              () => 'answered',
              (error: NodeJS.ErrnoException) => error.code ?? error.message,
            ),
          );
          await sleep(25);
        }
        expect(await slow).toMatchObject({ status: 200, body: 'slow' });
        const exit = await server.exited;

        expect(late.at(-1)).toBe('ECONNREFUSED');
        expect(late).not.toContain('answered');
        expect(failures(report)).toBe(0);
        expect(report.statuses).toEqual({ 200: report.requests });
        expect(report.requests).toBeGreaterThan(20);
        expect(report.afterMark).toBeGreaterThan(0);
        expect(report.afterMarkWithoutClose).toBe(0);
        expect(exit).toMatchObject({ code: 0, signal: null });
        const { lines } = server;
        const at = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
        expect(at(/^slow handler returned after 3000 ms$/)).toBeGreaterThan(-1);
        expect(at(/^slow handler returned after 3000 ms$/)).toBeLessThan(at(/^pool closed$/));
        expect(at(/^pool closed$/)).toBeLessThan(
          at(/shutdown complete in \d+ ms: forced no, 0 failed hook\(s\), exit code 0/),
        );
      });

      it('gives up on a request longer than the drain timeout, still cleans up, and exits 1', async () => {
        const server = await start({ DRAIN_DELAY_MS: '0', DRAIN_TIMEOUT_MS: '500' });
        const slow = request(`${server.url}/slow?ms=30000`).then(
          () => 'answered',
          () => 'cut',
        );
        await sleep(200);
        server.signal('SIGTERM');
        const exit = await server.exited;
        expect(await slow).toBe('cut');
        expect(exit).toMatchObject({ code: 1, signal: null });
        expect(exit.atMs).toBeLessThan(15_000);
        expect(server.lines).toContainEqual(expect.stringMatching(/pool closed/));
        // Warnings go to stderr (console.warn).
        expect(server.stderr).toContain('drain timeout reached: forcing the drain, 1 request(s) in flight');
        expect(server.stderr).toMatch(/forced yes, 0 failed hook\(s\), exit code 1/);
      });
    },
  );
}

const workerd = locateRuntime('workerd');
describe.skipIf(workerd.skipReason !== undefined)(
  workerd.skipReason === undefined
    ? '@lameduck/hono/fetch on workerd (Cloudflare Workers)'
    : `@lameduck/hono/fetch on workerd — SKIPPED: ${workerd.skipReason}`,
  () => {
    let bundle: { dir: string; outfile: string };
    beforeAll(async () => {
      assertInstalled('workerd', workerd.binary!);
      // 'browser': the bundle fails to build if the fetch entry pulls in a node: module.
      bundle = await bundleFixture('worker.ts', 'browser', 'worker.js');
      copyFileSync(
        fileURLToPath(new URL('./fixtures/worker.capnp', import.meta.url)),
        join(bundle.dir, 'worker.capnp'),
      );
    });
    afterAll(() => rmSync(bundle.dir, { recursive: true, force: true }));
    afterEach(killAllChildren);

    it('answers the probes through the middleware, without process or node: modules', async () => {
      const child = spawnCommand(workerd.binary!, ['serve', 'worker.capnp', '--control-fd=3'], {
        cwd: bundle.dir,
        extraPipes: 1,
      });
      // workerd reports the port it bound on the control descriptor, one JSON object per line.
      const control = child.child.stdio[3] as Readable;
      control.setEncoding('utf8');
      const port = await new Promise<number>((resolve, reject) => {
        let buffered = '';
        control.on('data', (chunk: string) => {
          buffered += chunk;
          const line = buffered.split('\n').find((each) => each.includes('"listen"'));
          if (line) resolve(JSON.parse(line).port);
        });
        child.exited.then((status) =>
          reject(new Error(`workerd exited (${JSON.stringify(status)}): ${child.stderr}`)),
        );
      });
      await expectProbes(`http://127.0.0.1:${port}`);
    });
  },
);
