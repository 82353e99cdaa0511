import { killAllChildren, request } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { logLines, type RunningFixture, startFixture } from './support/fixture.js';

afterEach(() => killAllChildren());

// 1,000 clients connect in about 2 s on a busy 2-CPU machine; LAMEDUCK_TEST_WEBSOCKETS changes it.
const CLIENTS = Number(process.env.LAMEDUCK_TEST_WEBSOCKETS ?? 1000);
const SPREAD_MS = 2000;
const DRAIN_TIMEOUT_MS = 8000;

interface Closed {
  code: number;
  reason: string;
  atMs: number;
}

/** Opens `count` clients, 50 at a time; each resolves `closed` with its close code and when. */
async function connect(port: number, count: number): Promise<Promise<Closed>[]> {
  const closes: Promise<Closed>[] = [];
  for (let start = 0; start < count; start += 50) {
    const batch = Array.from({ length: Math.min(50, count - start) }, () => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/`);
      closes.push(
        new Promise((resolve) =>
          socket.once('close', (code, reason) =>
            resolve({ code, reason: String(reason), atMs: performance.now() }),
          ),
        ),
      );
      return new Promise((resolve, reject) => {
        socket.once('message', resolve);
        socket.once('error', reject);
      });
    });
    await Promise.all(batch);
  }
  return closes;
}

async function drainAcrossSigterm(mode: 'registered' | 'raw') {
  const child: RunningFixture = await startFixture('websockets.mjs', {
    MODE: mode,
    SPREAD_MS: String(SPREAD_MS),
    DRAIN_TIMEOUT_MS: String(DRAIN_TIMEOUT_MS),
  });
  const connectedAt = performance.now();
  const closes = await connect(child.port, CLIENTS);
  const connectMs = performance.now() - connectedAt;
  const signalledAt = performance.now();
  child.signal('SIGTERM');
  const closed = await Promise.all(closes);
  const exit = await child.exited;
  const times = closed.map((entry) => entry.atMs - signalledAt);
  const codes = new Map<number, number>();
  for (const { code } of closed) codes.set(code, (codes.get(code) ?? 0) + 1);
  const done = logLines(child).find((line) => line.includes('shutdown complete in'));
  const shutdownMs = Number(/shutdown complete in (\d+) ms/.exec(done ?? '')?.[1]);
  const figures = {
    mode,
    clients: CLIENTS,
    connectMs: Math.round(connectMs),
    codes: Object.fromEntries(codes),
    firstCloseMs: Math.round(Math.min(...times)),
    lastCloseMs: Math.round(Math.max(...times)),
    exitCode: exit.code,
    shutdownMs,
  };
  console.log(`websocket drain: ${JSON.stringify(figures)}`);
  return { closed, times, exit, shutdownMs, child };
}

describe('WebSockets in a crash drain', () => {
  it('the spread is cut to half the crash drain deadline (5000 ms), so the last handshakes fit', async () => {
    // The configured drain timeout (20 s) would spread the closes over 5 s: all of the crash deadline.
    const child = await startFixture('websockets.mjs', { CRASH: '1', DRAIN_TIMEOUT_MS: '20000' });
    const closes = await connect(child.port, 20);
    const crashedAt = performance.now();
    await request(`http://127.0.0.1:${child.port}/crash`);
    const closed = await Promise.all(closes);
    const lastMs = Math.max(...closed.map((entry) => entry.atMs - crashedAt));
    expect(closed.filter((entry) => entry.code !== 1001)).toEqual([]);
    expect(lastMs).toBeLessThan(4000);
    expect((await child.exited).code).toBe(1);
  }, 30_000);
});

describe('WebSockets across a real SIGTERM', () => {
  for (const mode of ['registered', 'raw'] as const) {
    it(`${CLIENTS} ws clients all get 1001, spread over the window, exit 0 (${mode === 'registered' ? 'lameduck.websockets(wss)' : 'the close frame lameduck writes'})`, async () => {
      const { closed, times, exit, shutdownMs } = await drainAcrossSigterm(mode);
      expect(closed.filter((entry) => entry.code !== 1001)).toEqual([]);
      expect(new Set(closed.map((entry) => entry.reason))).toEqual(new Set(['going away']));
      // Spread: not all at once, and inside the window (plus a margin for a busy machine).
      const spanMs = Math.max(...times) - Math.min(...times);
      expect(spanMs).toBeGreaterThan(SPREAD_MS * 0.6);
      expect(Math.max(...times)).toBeLessThan(SPREAD_MS + 1500);
      // Evenly: each half of the window gets a fair share of the closes.
      const early = times.filter((ms) => ms - Math.min(...times) < spanMs / 2).length;
      expect(early / CLIENTS).toBeGreaterThan(0.3);
      expect(early / CLIENTS).toBeLessThan(0.7);
      expect(exit.code).toBe(0);
      expect(shutdownMs).toBeLessThan(DRAIN_TIMEOUT_MS);
    }, 60_000);
  }
});
