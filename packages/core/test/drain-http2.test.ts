import { type ClientHttp2Session, connect } from 'node:http2';
import { setTimeout as sleep } from 'node:timers/promises';
import { killAllChildren, requestHttp2 } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningFixture, startFixture } from './support/fixture.js';
import { connectRawHttp2 } from './support/raw-http2.js';

// HTTP/2 through a drain, on real processes with real signals, over h2c and over TLS (h2): a
// session learns of the drain from a GOAWAY after a response, as an HTTP/1 client learns it
// from `Connection: close`, and every stream it sent before that GOAWAY is answered.

afterEach(() => killAllChildren());

const protocols = [
  { name: 'h2c', feature: 'h2', secure: false },
  { name: 'h2 (TLS)', feature: 'h2s', secure: true },
] as const;

describe.each(protocols)('HTTP/2 drain, $name', ({ feature, secure }) => {
  const start = (env: Record<string, string>) =>
    startFixture('drain-server.mjs', { FEATURES: feature, ...env });
  const portOf = (child: RunningFixture) => (secure ? child.ports.h2s : child.ports.h2) ?? 0;
  const open = (child: RunningFixture): ClientHttp2Session => {
    const session = connect(`${secure ? 'https' : 'http'}://127.0.0.1:${portOf(child)}`, {
      rejectUnauthorized: false,
    });
    session.on('error', () => {});
    return session;
  };

  it('a stream that started before SIGTERM completes; its session gets a graceful GOAWAY; exit 0', async () => {
    const child = await start({ DRAIN_DELAY_MS: '200', DRAIN_TIMEOUT_MS: '8000' });
    const session = open(child);
    const goaway = new Promise<number>((resolve) => session.once('goaway', (code: number) => resolve(code)));
    const response = requestHttp2(session, '/?ms=800');
    await child.waitForEvent('h2-started');
    const signalledAt = performance.now();
    child.signal('SIGTERM');

    expect(await response).toEqual({ status: 200, body: 'h2 slept 800 ms\n' });
    expect(await goaway).toBe(0); // NO_ERROR
    expect((await child.exited).code).toBe(0);
    expect(performance.now() - signalledAt).toBeLessThan(200 + 8000);
    session.destroy();
  });

  it('a client that opens a new session at each GOAWAY sends a request every 10 ms through a 1.5 s delay: every request is answered, none fails', async () => {
    const child = await start({ DRAIN_DELAY_MS: '1500' });
    let sessions = 0;
    const openOnGoaway = (): ClientHttp2Session => {
      const session = open(child);
      sessions += 1;
      // As undici, Envoy and gRPC do: a session told to go away takes no new request.
      session.once('goaway', () => {
        if (current === session) current = openOnGoaway();
      });
      return session;
    };
    let current = openOnGoaway();
    const outcomes: Promise<string>[] = [];
    let retried = 0;
    const ask = (): Promise<{ status: number }> => {
      try {
        return requestHttp2(current, '/');
      } catch (error) {
        return Promise.reject(error);
      }
    };
    const send = () => {
      outcomes.push(
        ask()
          .catch((error: NodeJS.ErrnoException) => {
            // A stream sent in the instant the GOAWAY was in flight is refused unprocessed
            // (REFUSED_STREAM, RFC 9113 §8.7): retried once on the new session, as gRPC does.
            if (!String(error.message).includes('NGHTTP2_REFUSED_STREAM')) throw error;
            retried += 1;
            return ask();
          })
          .then(
            ({ status }) => (status === 200 ? 'answered' : `status ${status}`),
            (error: NodeJS.ErrnoException) => `${error.code}: ${error.message}`,
          ),
      );
    };
    const startedAt = performance.now();
    while (performance.now() - startedAt < 100) {
      send();
      await sleep(10);
    }
    child.signal('SIGTERM');
    const signalledAt = performance.now();
    // Stops 200 ms before the listener closes (a busy machine fires timers late).
    while (performance.now() - signalledAt < 1300) {
      send();
      await sleep(10);
    }
    const results = await Promise.all(outcomes);
    const failed = results.filter((result) => result !== 'answered');
    expect(failed).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
    // It learned of the drain during the delay, and moved on each time it was told.
    expect(sessions).toBeGreaterThan(1);
    // Refused streams are the rare ones that crossed a GOAWAY on the wire, not the rule.
    expect(retried).toBeLessThanOrEqual(Math.ceil(results.length * 0.15));
    console.log(`${results.length} requests, ${sessions} sessions, ${retried} refused and retried`);
    current.destroy();
    expect((await child.exited).code).toBe(0);
  });

  it('/readyz over a fresh session during the delay answers 503 and /livez 200; then the session is told to go away', async () => {
    const child = await start({ DRAIN_DELAY_MS: '1500' });
    child.signal('SIGTERM');
    await child.waitForLine(/"to":"draining"/);
    const listenerClosed = child.waitForLine(/drain delay over/).then(() => performance.now());
    const session = open(child);
    const goaway = new Promise<{ code: number; lastStreamId: number; atMs: number }>((resolve) =>
      session.once('goaway', (code: number, lastStreamId: number) =>
        resolve({ code, lastStreamId, atMs: performance.now() }),
      ),
    );
    const [readyz, livez] = await Promise.all([
      requestHttp2(session, '/readyz'),
      requestHttp2(session, '/livez'),
    ]);
    expect(readyz.status).toBe(503);
    expect(livez.status).toBe(200);
    // The GOAWAY names the last stream it answered (stream ids 1 and 3): none of them refused.
    const told = await goaway;
    expect(told).toMatchObject({ code: 0, lastStreamId: 3 });
    expect(told.atMs).toBeLessThan(await listenerClosed);
    session.destroy();
    expect((await child.exited).code).toBe(0);
  });

  it('a session that connected just before the listener closed gets the idle grace for its first request, as an HTTP/1 socket does', async () => {
    const child = await start({ DRAIN_DELAY_MS: '400', IDLE_GRACE_MS: '1500' });
    child.signal('SIGTERM');
    await child.waitForLine(/"to":"draining"/);
    const session = open(child);
    await new Promise((resolve) => session.once('connect', resolve));
    await child.waitForLine(/drain delay over/);
    await sleep(100); // its first request comes after the listener closed, within the grace
    expect(await requestHttp2(session, '/livez')).toMatchObject({ status: 200 });
    session.destroy();
    expect((await child.exited).code).toBe(0);
  });

  it('a stream sent after SIGTERM on a session open before it is answered during the delay, not held to its end and refused', async () => {
    const child = await start({ DRAIN_DELAY_MS: '3000' });
    const client = await connectRawHttp2(portOf(child), secure);
    const long = client.request('/?ms=1000');
    await child.waitForEvent('h2-started');
    child.signal('SIGTERM');
    await child.waitForLine(/"to":"draining"/);
    await sleep(200); // a client that has not seen anything of the drain yet sends again
    const sentAt = performance.now();
    const late = await Promise.race([client.request('/'), sleep(2000).then(() => 'not answered within 2 s')]);
    expect(late).toMatchObject({ id: 3, ended: true, body: 'h2 slept 0 ms\n' });
    expect(performance.now() - sentAt).toBeLessThan(1500);
    expect(await long).toMatchObject({ id: 1, ended: true, body: 'h2 slept 1000 ms\n' });
    // Told to go away once its streams were answered, during the delay, naming both of them.
    const goaway = await client.goaway();
    expect(goaway).toMatchObject({ code: 0, lastStreamId: 3 });
    expect(client.goaways.every((told) => told.lastStreamId >= 3)).toBe(true);
    client.destroy();
    expect((await child.exited).code).toBe(0);
  });
});
