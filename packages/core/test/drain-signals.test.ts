import { setTimeout as sleep } from 'node:timers/promises';
import { killAllChildren } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { logLines, startFixture } from './support/fixture.js';
import { get } from './support/http.js';

// Real processes receiving real signals; exit codes and timing as Kubernetes would see them.
// Time bounds are generous on purpose: a slow machine must not fail these.

afterEach(() => killAllChildren());

describe('probes across SIGTERM', () => {
  it('readiness 503 in the same event-loop turn as the signal; liveness 200 until the listener closes', async () => {
    const child = await startFixture('drain-server.mjs', { DRAIN_DELAY_MS: '1500', FEATURES: 'signal-turn' });
    expect((await get(child.port, '/readyz')).status).toBe(200);
    child.signal('SIGTERM');
    // A SIGTERM listener registered after lameduck's sees the state already changed.
    expect(await child.waitForEvent('signal-turn')).toMatchObject({ state: 'draining', readyz: 503 });

    const readiness: number[] = [];
    const liveness: number[] = [];
    for (;;) {
      try {
        readiness.push((await get(child.port, '/readyz')).status);
        liveness.push((await get(child.port, '/livez')).status);
      } catch (error) {
        // The drain delay is over and the listener closed: refused, or reset when this probe's
        // connection was accepted just before and closed as one that had sent no request yet.
        expect(['ECONNREFUSED', 'ECONNRESET']).toContain((error as NodeJS.ErrnoException).code);
        break;
      }
      await sleep(25);
    }
    expect(readiness.length).toBeGreaterThan(1);
    expect(new Set(readiness)).toEqual(new Set([503]));
    expect(new Set(liveness)).toEqual(new Set([200]));
    expect((await child.exited).code).toBe(0);
  });
});

describe('in-flight requests', () => {
  it('long requests complete; exit ≈ delay + the longest request', async () => {
    const child = await startFixture('drain-server.mjs', {
      DRAIN_DELAY_MS: '200',
      DRAIN_TIMEOUT_MS: '10000',
    });
    const longest = get(child.port, '/slow?ms=1500');
    const shorter = get(child.port, '/slow?ms=700');
    await child.waitForLine(/"ms":700/);
    const signalledAt = performance.now();
    child.signal('SIGTERM');
    expect(await longest).toMatchObject({
      status: 200,
      body: 'slept 1500 ms\n',
      headers: { connection: 'close' },
    });
    expect((await shorter).status).toBe(200);
    const exit = await child.exited;
    const exitAfterSignalMs = performance.now() - signalledAt;
    expect(exit.code).toBe(0);
    // The process waited for the longest request and no longer (generous bounds).
    expect(child.events('slow-finished').map((event) => event.ms)).toEqual([700, 1500]);
    expect(exitAfterSignalMs).toBeGreaterThanOrEqual(800);
    expect(exitAfterSignalMs).toBeLessThan(1500 + 5000);
  });

  it('a request longer than the drain timeout is cut at the deadline; exit code 1', async () => {
    const child = await startFixture('drain-server.mjs', { DRAIN_DELAY_MS: '100', DRAIN_TIMEOUT_MS: '500' });
    const tooLong = get(child.port, '/slow?ms=20000').catch((error: unknown) => error);
    await child.waitForEvent('slow-started');
    const signalledAt = performance.now();
    child.signal('SIGTERM');
    expect(await tooLong).toMatchObject({ code: 'ECONNRESET' });
    const exit = await child.exited;
    expect(exit.code).toBe(1);
    expect(performance.now() - signalledAt).toBeLessThan(600 + 5000);
    expect(logLines(child)).toContain(
      'error drain timeout of 500 ms reached: destroyed 1 connection(s) with 1 request(s) still in flight',
    );
  });
});

describe('repeated signals', () => {
  it('a second SIGTERM is logged and ignored: one shutdown, exit 0', async () => {
    const child = await startFixture('drain-server.mjs', { DRAIN_DELAY_MS: '600' });
    child.signal('SIGTERM');
    await child.waitForLine(/"to":"draining"/);
    child.signal('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    expect(child.events('state').filter((event) => event.to === 'draining')).toHaveLength(1);
    expect(logLines(child)).toContainEqual(
      expect.stringMatching(/^warn SIGTERM received again \d+ ms into the shutdown; ignored/),
    );
  });

  it('a second SIGINT forces the exit at once, cutting what is in flight; exit code 1', async () => {
    const child = await startFixture('drain-server.mjs', {
      DRAIN_DELAY_MS: '10000',
      DRAIN_TIMEOUT_MS: '10000',
    });
    const inFlight = get(child.port, '/slow?ms=20000').catch((error: unknown) => error);
    await child.waitForEvent('slow-started');
    child.signal('SIGINT');
    await child.waitForLine(/"to":"draining"/);
    const secondAt = performance.now();
    child.signal('SIGINT');
    const exit = await child.exited;
    expect(exit.code).toBe(1);
    expect(performance.now() - secondAt).toBeLessThan(5000); // not the 10 s delay
    expect(await inFlight).toBeInstanceOf(Error);
    expect(logLines(child)).toContainEqual(
      expect.stringMatching(
        /^warn SIGINT received again \d+ ms into the shutdown: forcing the drain, 1 request/,
      ),
    );
  });

  it("exitOnSignal: 'reraise' dies by the signal (status 143 in a shell)", async () => {
    const child = await startFixture('drain-server.mjs', { EXIT_ON_SIGNAL: 'reraise' });
    child.signal('SIGTERM');
    expect(await child.exited).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(logLines(child)).toContain('info re-raising SIGTERM (exit status 143)');
  });
});

describe('programmatic shutdown()', () => {
  it('drains without exiting the process; the result says what happened', async () => {
    const child = await startFixture('drain-server.mjs', { FEATURES: 'neighbours' }); // a ref'd interval
    expect((await get(child.port, '/shutdown')).status).toBe(200);
    const { result } = await child.waitForEvent('shutdown-result');
    expect(result).toMatchObject({ reason: 'requested over HTTP', forced: false, exitCode: 0 });
    await sleep(300);
    expect(child.child.exitCode).toBeNull(); // still running: nobody asked lameduck to exit
  });

  it("{ exit: true } exits with the result's exit code", async () => {
    const child = await startFixture('drain-server.mjs', { FEATURES: 'neighbours,hooks' });
    await get(child.port, '/shutdown?exit');
    expect((await child.exited).code).toBe(1); // the hooks feature has a failing hook
    expect(logLines(child)).toContain('info exiting with code 1');
  });

  it('a SIGTERM during it makes the process exit once the drain is over', async () => {
    const child = await startFixture('drain-server.mjs', { FEATURES: 'neighbours', DRAIN_DELAY_MS: '500' });
    await get(child.port, '/shutdown');
    child.signal('SIGTERM');
    expect((await child.exited).code).toBe(0);
    expect(logLines(child)).toContainEqual(
      expect.stringMatching(
        /^info SIGTERM received \d+ ms into a shutdown already running; the process exits after it$/,
      ),
    );
  });
});

describe('beside other code', () => {
  it("runs beside another library's SIGTERM listener and exits despite a ref'd interval", async () => {
    const child = await startFixture('drain-server.mjs', { FEATURES: 'neighbours' });
    child.signal('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    expect(child.events('neighbour-listener-ran')).toHaveLength(1);
  });
});
