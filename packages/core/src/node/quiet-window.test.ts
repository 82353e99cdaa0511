import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { untilQuiet } from './quiet-window.js';

/** A server whose last request the test sets, on the fake clock. */
function fakeServer() {
  let lastAt: number | undefined;
  return {
    requestNow: () => {
      lastAt = Date.now();
    },
    get quietForMs() {
      return lastAt === undefined ? Number.POSITIVE_INFINITY : Date.now() - lastAt;
    },
  };
}

describe('untilQuiet', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const never = new AbortController().signal;

  it('returns at once when no request came', async () => {
    await expect(untilQuiet([fakeServer(), fakeServer()], 1000, 5000, Date.now, never)).resolves.toEqual({
      waitedMs: 0,
      quiet: true,
    });
  });

  it('reports no wait when it never slept, even if the clock ticked between two readings', async () => {
    // A real clock can cross a millisecond between the start and the first check: a shutdown
    // with nothing to wait for must not log "quiet after 1 ms".
    let tick = 0;
    const ticking = () => tick++;
    await expect(untilQuiet([fakeServer()], 1000, 5000, ticking, never)).resolves.toEqual({
      waitedMs: 0,
      quiet: true,
    });
  });

  it('waits for the window after the last request of any server', async () => {
    const [a, b] = [fakeServer(), fakeServer()];
    a.requestNow();
    const outcome = untilQuiet([a, b], 1000, 5000, Date.now, never);
    await vi.advanceTimersByTimeAsync(600);
    b.requestNow(); // at 600: quiet from 1600 on
    await vi.advanceTimersByTimeAsync(1000);
    await expect(outcome).resolves.toEqual({ waitedMs: 1600, quiet: true });
  });

  it('stops at the cap while requests keep coming', async () => {
    const server = fakeServer();
    server.requestNow();
    const ticking = setInterval(() => server.requestNow(), 200);
    const outcome = untilQuiet([server], 1000, 2500, Date.now, never);
    await vi.advanceTimersByTimeAsync(3000);
    clearInterval(ticking);
    await expect(outcome).resolves.toEqual({ waitedMs: 2500, quiet: false });
  });

  it('stops when the signal aborts (a forced shutdown)', async () => {
    const server = fakeServer();
    server.requestNow();
    const force = new AbortController();
    const outcome = untilQuiet([server], 1000, 5000, Date.now, force.signal);
    await vi.advanceTimersByTimeAsync(300);
    force.abort();
    await expect(outcome).resolves.toEqual({ waitedMs: 300, quiet: false });
  });

  it('a window of 0 never waits', async () => {
    const server = fakeServer();
    server.requestNow();
    await expect(untilQuiet([server], 0, 5000, Date.now, never)).resolves.toEqual({
      waitedMs: 0,
      quiet: true,
    });
  });
});
