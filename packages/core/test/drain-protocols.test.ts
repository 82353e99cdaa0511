import { request } from 'node:http';
import { killAllChildren } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startFixture } from './support/fixture.js';

afterEach(() => killAllChildren());

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
