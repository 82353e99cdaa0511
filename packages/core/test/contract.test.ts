// The user's contract in real processes: a mistake lameduck can see is reported, and a crash
// drains instead of cutting requests, only when asked to.
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { killAllChildren, spawnNode } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { logLines } from './support/fixture.js';
import { get } from './support/http.js';

afterEach(() => killAllChildren());

async function startApp(env: Record<string, string>) {
  const child = spawnNode(fileURLToPath(new URL('./fixtures/contract-app.mjs', import.meta.url)), {
    env: { LAMEDUCK_DRAIN_DELAY_MS: '0', ...env },
  });
  const listening = await child.waitForEvent('listening');
  return Object.assign(child, { port: listening.port as number });
}

describe('a server lameduck cannot see (app.listen() instead of lameduck.listen(app))', () => {
  it('warns at ready(), and the shutdown says it was not clean instead of "forced no, exit code 0"', async () => {
    const app = await startApp({ ATTACH: 'no' });
    expect(logLines(app)).toContainEqual(
      expect.stringMatching(
        /^warn ready\(\) called with no server attached: SIGTERM will not drain any request; start the server with lameduck.listen\(app\)/,
      ),
    );
    const slow = get(app.port, '/slow?ms=1500').then(
      () => 'answered',
      () => 'cut',
    );
    await sleep(200);
    app.signal('SIGTERM');
    const exit = await app.exited;
    expect(await slow).toBe('cut');
    expect(exit.code).toBe(1);
    const lines = logLines(app);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^error 1 listening server\(s\) are not attached to lameduck: their requests are not drained/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^warn shutdown finished with problems in \d+ ms: forced no, 0 failed hook\(s\), 1 server\(s\) not attached \(not drained\), exit code 1$/,
      ),
    );
  });

  it('beside an attached server, a second one (a metrics port) is reported but does not fail the drain', async () => {
    const app = await startApp({ EXTRA_SERVER: 'yes' });
    expect(logLines(app)).toContainEqual(
      expect.stringMatching(
        /^warn 1 listening server\(s\) are not attached: SIGTERM will not drain their requests/,
      ),
    );
    app.signal('SIGTERM');
    const exit = await app.exited;
    expect(exit.code).toBe(0);
    expect(logLines(app)).toContainEqual(
      expect.stringMatching(/^warn 1 listening server\(s\) are not attached to lameduck/),
    );
    expect(logLines(app)).toContainEqual(
      expect.stringMatching(/^info shutdown complete in \d+ ms: forced no, 0 failed hook\(s\), exit code 0$/),
    );
  });

  it('says nothing of the kind when the server is attached', async () => {
    const app = await startApp({});
    app.signal('SIGTERM');
    const exit = await app.exited;
    expect(exit.code).toBe(0);
    expect(logLines(app).filter((line) => line.includes('attach'))).toEqual([]);
  });
});

describe("onUncaughtException: 'drain'", () => {
  it.each([
    ['/throw', 'uncaught exception: Error: boom from a timer', 'uncaught exception'],
    ['/reject', 'unhandled promise rejection: Error: boom from a promise', 'unhandled rejection'],
  ])(
    '%s: logged with its stack, readiness 503, the request in flight finishes, cleanup runs, exit 1',
    async (path, logged, reason) => {
      const app = await startApp({ CRASH: 'drain', LAMEDUCK_DRAIN_DELAY_MS: '800' });
      const slow = get(app.port, '/slow?ms=600');
      await sleep(100);
      await get(app.port, path);
      await app.waitForLine((line) => line.includes('"to":"draining"'));
      const readiness = await get(app.port, '/readyz');
      expect(readiness.status).toBe(503);
      expect((await get(app.port, '/livez')).status).toBe(200);
      expect(await slow).toMatchObject({ status: 200, body: 'slept 600 ms\n' });
      const exit = await app.exited;
      expect(exit.code).toBe(1);
      const lines = logLines(app);
      expect(lines).toContainEqual(expect.stringContaining(`error ${logged}\n    at `));
      expect(app.events('state').map((event) => `${event.to} (${event.reason})`)).toEqual([
        'ready (listening)',
        `draining (${reason})`,
        'closed (drained)',
      ]);
      expect(app.events('cleanup-ran')).toHaveLength(1);
      expect(lines).toContain('info exiting with code 1');
    },
  );

  it("leaves an error tracker's own listener in place: it still sees the error", async () => {
    const app = await startApp({ CRASH: 'drain', TRACKER: 'yes' });
    await get(app.port, '/throw');
    const exit = await app.exited;
    expect(exit.code).toBe(1);
    expect(app.events('tracker-saw').map((event) => event.message)).toEqual(['boom from a timer']);
    expect(app.events('cleanup-ran')).toHaveLength(1);
  });

  it('off (the default), Node behaves as without lameduck: the process dies at once, mid-request', async () => {
    const app = await startApp({});
    const slow = get(app.port, '/slow?ms=2000').then(
      () => 'answered',
      () => 'cut',
    );
    await sleep(100);
    await get(app.port, '/throw');
    const exit = await app.exited;
    expect(exit.code).toBe(1);
    expect(await slow).toBe('cut');
    expect(app.stderr).toContain('Error: boom from a timer');
    expect(app.events('cleanup-ran')).toHaveLength(0);
  });
});
