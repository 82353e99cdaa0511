import { setTimeout as sleep } from 'node:timers/promises';
import { killAllChildren, startKeepAliveLoad } from 'lameduck-test-utils';
import { Client } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { logLines, type RunningFixture, startFixture } from './support/fixture.js';
import { connectRaw } from './support/http.js';

// The reason lameduck exists, measured on real processes: keep-alive clients that keep sending
// until 500 ms after SIGTERM (as load balancers do until the endpoint removal reaches them).

afterEach(() => killAllChildren());

async function loadAcrossSigterm(child: RunningFixture) {
  const load = startKeepAliveLoad(`http://127.0.0.1:${child.port}/`, 50);
  await sleep(300); // every client has a keep-alive socket by now
  const signalledAt = performance.now();
  child.signal('SIGTERM');
  // Responses to requests sent after the server reports draining must say Connection: close.
  void child.waitForLine(/"to":"draining"/).then(
    () => load.mark(),
    () => {},
  );
  await sleep(500);
  const summary = await load.stop();
  return { summary, signalledAt };
}

describe('keep-alive load across SIGTERM', () => {
  it('naive server.close(): resets and refused connections (what lameduck prevents)', async () => {
    const child = await startFixture('naive-server.mjs');
    const { summary } = await loadAcrossSigterm(child);
    expect(summary.statuses[200]).toBeGreaterThan(0);
    expect((summary.errors.ECONNRESET ?? 0) + (summary.errors.ECONNREFUSED ?? 0)).toBeGreaterThan(0);
  });

  it('lameduck: zero ECONNRESET, zero ECONNREFUSED, Connection: close after SIGTERM, exit 0', async () => {
    // A 3 s delay against clients that stop after 500 ms: room for a slow, busy machine.
    const child = await startFixture('drain-server.mjs', {
      DRAIN_DELAY_MS: '3000',
      DRAIN_TIMEOUT_MS: '5000',
    });
    const { summary, signalledAt } = await loadAcrossSigterm(child);
    const exit = await child.exited;
    expect(summary.errors).toEqual({}); // no ECONNRESET, no ECONNREFUSED, nothing else
    expect(summary.statuses).toEqual({ 200: summary.requests });
    expect(summary.afterMark).toBeGreaterThan(0);
    expect(summary.afterMarkWithoutClose).toBe(0);
    expect(exit.code).toBe(0);
    // The drain delay, then nothing left to wait for: generous upper bound for a slow machine.
    const exitAfterSignalMs = performance.now() - signalledAt;
    expect(exitAfterSignalMs).toBeGreaterThanOrEqual(2900);
    expect(exitAfterSignalMs).toBeLessThan(3000 + 8000);
    expect(logLines(child)).toContainEqual(expect.stringMatching(/^info shutdown complete in \d+ ms/));
  });
});

describe('connections that would hold the process open', () => {
  async function reuseAndSilent(child: RunningFixture) {
    const client = new Client(`http://127.0.0.1:${child.port}`, { pipelining: 1 });
    let stop = false;
    let responses = 0;
    const loop = (async () => {
      while (!stop) {
        try {
          const response = await client.request({ path: '/', method: 'GET' });
          await response.body.text();
          responses += 1;
        } catch {
          await sleep(5); // after the listener closed: refused, as it should be
        }
      }
    })();
    const silent = await connectRaw(child.port); // connects, never sends a request
    let silentClosed = false;
    void silent.whenClosed.then(() => {
      silentClosed = true;
    });
    await sleep(200);
    const signalledAt = performance.now();
    child.signal('SIGTERM');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      child.exited.then((exit) => ({ exit, afterMs: performance.now() - signalledAt })),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), 4000);
      }),
    ]);
    clearTimeout(timer);
    stop = true;
    await loop;
    await client.destroy();
    silent.destroy();
    return { outcome, responses, silentClosed };
  }

  // Node 26's server.close() also closes the silent socket and a keep-alive socket between two
  // requests (the busy client's next request is reset): the naive process exits at once there.
  const closeCutsSockets = Number(process.versions.node.split('.')[0]) >= 26;

  it(`naive server.close() on Node ${process.versions.node}: ${closeCutsSockets ? 'exits at once, cutting a busy keep-alive client and a silent socket' : 'a busy keep-alive client and a silent socket keep the process alive'}`, async () => {
    const child = await startFixture('naive-server.mjs');
    const { outcome, responses, silentClosed } = await reuseAndSilent(child);
    expect(responses).toBeGreaterThan(0);
    if (closeCutsSockets) {
      expect(outcome?.exit.code).toBe(0);
      expect(silentClosed).toBe(true);
    } else expect(outcome).toBeUndefined(); // still running 4 s after SIGTERM
  });

  it('lameduck: exits 0 right after the drain delay; the silent socket is closed', async () => {
    const child = await startFixture('drain-server.mjs', {
      DRAIN_DELAY_MS: '300',
      DRAIN_TIMEOUT_MS: '20000',
      // This client never stops sending: the quiet window would keep the listener open up to
      // half the drain timeout (src/node/quiet-window-drain.test.ts has that case).
      LAMEDUCK_QUIET_WINDOW_MS: '0',
    });
    const { outcome, responses, silentClosed } = await reuseAndSilent(child);
    expect(responses).toBeGreaterThan(0);
    expect(outcome?.exit.code).toBe(0);
    expect(outcome?.afterMs).toBeLessThan(4000); // the delay, not the 20 s drain timeout
    expect(silentClosed).toBe(true);
    expect(logLines(child)).toContainEqual(
      expect.stringMatching(
        /^info drain delay over after \d+ ms: listeners closed(?: after accepting \d+ queued connection\(s\))?; closed \d+ idle connection\(s\), \d+ recently active idle connection/,
      ),
    );
  });
});
