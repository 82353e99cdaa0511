import { request } from 'node:http';
import { connect } from 'node:http2';
import { killAllChildren, requestHttp2 } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startFixture } from './support/fixture.js';

afterEach(() => killAllChildren());

describe('HTTP/2', () => {
  it('the client gets GOAWAY, its in-flight stream completes, the process exits before the deadline', async () => {
    const child = await startFixture('drain-server.mjs', {
      FEATURES: 'h2',
      DRAIN_DELAY_MS: '200',
      DRAIN_TIMEOUT_MS: '8000',
    });
    const session = connect(`http://127.0.0.1:${child.ports.h2}`);
    session.on('error', () => {});
    const goaway = new Promise<number>((resolve) => session.once('goaway', (code: number) => resolve(code)));
    const response = requestHttp2(session, '/?ms=800');
    await child.waitForEvent('h2-started');
    const signalledAt = performance.now();
    child.signal('SIGTERM');

    expect(await goaway).toBe(0); // NO_ERROR: a graceful GOAWAY
    expect(await response).toEqual({ status: 200, body: 'h2 slept 800 ms\n' });
    const exit = await child.exited;
    expect(exit.code).toBe(0);
    expect(performance.now() - signalledAt).toBeLessThan(200 + 8000);
    session.destroy();
  });
});

describe('HTTP/2 during the drain delay', () => {
  it('sessions get GOAWAY (last stream id 2^31-1) when the drain starts, sessions opened during the delay too; the final GOAWAY when the listener closes', async () => {
    const child = await startFixture('drain-server.mjs', {
      FEATURES: 'h2',
      DRAIN_DELAY_MS: '1500',
      DRAIN_TIMEOUT_MS: '8000',
    });
    const open = (label: string) => {
      const session = connect(`http://127.0.0.1:${child.ports.h2}`);
      session.on('error', () => {});
      const goaways: { code: number; lastStreamId: number; label: string; atMs: number }[] = [];
      session.on('goaway', (code: number, lastStreamId: number) =>
        goaways.push({ code, lastStreamId, label, atMs: performance.now() }),
      );
      return { session, goaways };
    };
    const before = open('before');
    // A stream that outlasts the delay: the session stays open until the final GOAWAY.
    const stream = before.session.request({ ':path': '/?ms=2500' });
    stream.resume();
    const ended = new Promise((resolve) => stream.once('end', resolve));
    await child.waitForEvent('h2-started');
    const signalledAt = performance.now();
    child.signal('SIGTERM');
    await child.waitForLine(/"to":"draining"/);
    const during = open('during');
    const listenerClosed = child.waitForLine(/drain delay over/).then(() => performance.now());
    await ended;
    const closedAt = await listenerClosed;
    expect((await child.exited).code).toBe(0);
    const everyGoaway = [...before.goaways, ...during.goaways];
    // The first GOAWAY of each session came during the delay, well before the listener closed.
    expect(before.goaways[0]).toMatchObject({ code: 0, lastStreamId: 2 ** 31 - 1 });
    expect(during.goaways[0]).toMatchObject({ code: 0, lastStreamId: 2 ** 31 - 1 });
    for (const goaway of [before.goaways[0], during.goaways[0]]) {
      expect(goaway?.atMs).toBeLessThan(closedAt);
    }
    expect(before.goaways[0]?.atMs ?? Infinity).toBeLessThan(signalledAt + 1500);
    // The final one names the last stream the server processed.
    expect(before.goaways.at(-1)).toMatchObject({ code: 0, lastStreamId: 1 });
    expect(everyGoaway.every((goaway) => goaway.code === 0)).toBe(true);
    before.session.destroy();
    during.session.destroy();
  });
});

describe('WebSocket and SSE', () => {
  it('a WebSocket client gets close code 1001 from the early-notice hook', async () => {
    const child = await startFixture('drain-server.mjs', { FEATURES: 'ws', DRAIN_DELAY_MS: '500' });
    const socket = new WebSocket(`ws://127.0.0.1:${child.port}/`);
    await new Promise((resolve) => socket.once('message', resolve));
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
    child.signal('SIGTERM');
    expect(await closed).toEqual({ code: 1001, reason: 'server shutting down' });
    expect((await child.exited).code).toBe(0);
  });

  it('an SSE stream is ended by its early-notice hook, cleanly', async () => {
    const child = await startFixture('drain-server.mjs', { FEATURES: 'sse', DRAIN_DELAY_MS: '300' });
    const stream = await new Promise<{ text: () => string; ended: Promise<void> }>((resolve, reject) => {
      request({ host: '127.0.0.1', port: child.port, path: '/sse' }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        const ended = new Promise<void>((done) => response.once('end', done));
        resolve({ text: () => text, ended });
      })
        .on('error', reject)
        .end();
    });
    child.signal('SIGTERM');
    await stream.ended;
    expect(stream.text()).toMatch(/^data: hello\n\n/);
    expect(stream.text()).toMatch(/event: bye\ndata: draining\n\n$/);
    expect((await child.exited).code).toBe(0);
    expect(child.events('sse-ended-by-hook')).toHaveLength(1);
  });
});
