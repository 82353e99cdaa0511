// A demo against a real PostgreSQL (started by postgres-global-setup.ts beside this file): the
// readiness check, a request that holds a pooled connection across SIGTERM, and an outage.
// Shared by the demos' tests.
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { killAllChildren, request, spawnNode } from 'lameduck-test-utils';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { testPostgresAt } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { url: string; dir: string } | { skipReason: string };
  }
}

export interface PostgresContractOptions {
  /** The demo's name, as in its "<name> listening on port N" line. */
  demo: string;
  /** The demo's directory, where `dist/server.js` is. */
  appDir: string;
  /** What sets a drain delay of 0 and a drain timeout of 8 s in this demo's environment. */
  drainEnv: Record<string, string>;
  /** The cleanup hook that closes the pool, as named in the drain's log. */
  hook: string;
}

/** A fresh connection per request, as a kubelet probe makes. */
const probe = (url: string) => request(url, { agent: new Agent({ keepAlive: false }) });

async function startDemo({ demo, appDir, drainEnv }: PostgresContractOptions, databaseUrl: string) {
  const child = spawnNode('dist/server.js', {
    cwd: appDir,
    env: { PORT: '0', DATABASE_URL: databaseUrl, ...drainEnv },
  });
  const line = await child.waitForLine(new RegExp(`^${demo} listening on port \\d+$`));
  return Object.assign(child, { url: `http://127.0.0.1:${line.split(' ').at(-1)}` });
}

const indexOf = (lines: string[], pattern: RegExp) => {
  const index = lines.findIndex((line) => pattern.test(line));
  if (index === -1) throw new Error(`no line matching ${pattern} in:\n${lines.join('\n')}`);
  return index;
};

export function runPostgresContract(options: PostgresContractOptions): void {
  const provided = inject('postgres');
  const skipReason = 'skipReason' in provided ? provided.skipReason : undefined;
  const { demo, hook } = options;
  describe.skipIf(skipReason !== undefined)(
    skipReason === undefined ? `${demo} with PostgreSQL` : `${demo} with PostgreSQL — SKIPPED: ${skipReason}`,
    () => {
      const postgres = 'url' in provided ? testPostgresAt(provided.dir, provided.url) : undefined;
      afterEach(killAllChildren);

      it('checks postgres for readiness and serves /db through the pool', async () => {
        const demo = await startDemo(options, postgres!.url);
        expect(await probe(`${demo.url}/readyz?verbose`)).toMatchObject({
          status: 200,
          body: expect.stringContaining('[+]postgres ok'),
        });
        expect(await probe(`${demo.url}/db?ms=50`)).toMatchObject({
          status: 200,
          body: 'slept 50 ms in postgres\n',
        });
        for (const bad of ['abc', '-1', '999999999', '']) {
          expect((await probe(`${demo.url}/db?ms=${bad}`)).status).toBe(400);
        }
      });

      it('lets a /db request in flight at SIGTERM finish, then closes the pool, and exits 0', async () => {
        const demo = await startDemo(options, postgres!.url);
        const slow = request(`${demo.url}/db?ms=1500`);
        await sleep(300); // the query is running in pg_sleep
        demo.signal('SIGTERM');
        const signalledAt = performance.now();
        expect(await slow).toMatchObject({ status: 200, body: 'slept 1500 ms in postgres\n' });
        const exit = await demo.exited;
        expect(exit).toMatchObject({ code: 0, signal: null });
        expect(performance.now() - signalledAt).toBeGreaterThan(1000); // held open by the request

        // The drain's own log, in order: the request was in flight at SIGTERM, its connection
        // closed after its response, and only then did the cleanup hook close the pool.
        const { lines } = demo;
        const inFlight = indexOf(lines, /shutting down \(SIGTERM\): 1 request\(s\) in flight/);
        const drained = indexOf(lines, /all connections closed \d+ ms after the listeners closed/);
        const poolClosed = indexOf(lines, /^postgres pool closed$/);
        const hookDone = indexOf(lines, new RegExp(`cleanup hook "${hook}" finished`));
        expect(inFlight).toBeLessThan(drained);
        expect(drained).toBeLessThan(poolClosed);
        expect(poolClosed).toBeLessThan(hookDone);
        expect(lines).toContainEqual(
          expect.stringMatching(/shutdown complete in \d+ ms: forced no, 0 failed hook\(s\), exit code 0/),
        );
      });

      it('fails readiness (503) while the database is down, keeps liveness at 200, and recovers', async () => {
        const demo = await startDemo(options, postgres!.url);
        expect((await probe(`${demo.url}/readyz`)).status).toBe(200);
        await postgres!.stop();
        try {
          await sleep(1100); // past the readiness cache (1 s)
          const failing = await probe(`${demo.url}/readyz?verbose`);
          expect(failing.status).toBe(503);
          expect(failing.body).toContain('[-]postgres failed\n');
          expect((await probe(`${demo.url}/livez`)).status).toBe(200);
          expect(await probe(`${demo.url}/db?ms=10`)).toMatchObject({
            status: 503,
            body: 'database unavailable\n',
          });
        } finally {
          await postgres!.resume();
        }
        await sleep(1100);
        expect((await probe(`${demo.url}/readyz`)).status).toBe(200);
        expect((await probe(`${demo.url}/db?ms=10`)).status).toBe(200);
        demo.signal('SIGTERM');
        expect(await demo.exited).toMatchObject({ code: 0, signal: null });
        expect(demo.lines).toContain('postgres pool closed');
      });
    },
  );
}
