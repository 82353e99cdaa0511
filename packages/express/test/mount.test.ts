import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import express from 'express';
import { lifecyclesForTests, request } from 'lameduck-test-utils';
import { describe, expect, it } from 'vitest';
import { createLameduck } from '../src/index.js';

/** One request line sent as written, on a raw socket; resolves with the status code. */
function rawStatus(port: number, requestLine: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
    });
    socket.on('end', () => resolve(Number(text.split(' ')[1])));
    // write, not end: a client that half-closes may see a handler give up on it.
    socket.write(`${requestLine}\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
  });
}

const lameduckForTest = lifecyclesForTests(createLameduck);

describe('express: middleware mounted under a path', () => {
  it('serves the probes relative to the mount point, in origin and absolute form', async () => {
    const lameduck = lameduckForTest();
    const app = express();
    app.use('/internal', lameduck.middleware());
    app.get('/', (_request, response) => {
      response.send('hello');
    });
    const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1' });
    const { port } = server.address() as AddressInfo;
    lameduck.ready();
    expect(await request(`http://127.0.0.1:${port}/internal/readyz`)).toMatchObject({
      status: 200,
      body: 'ok\n',
    });
    expect((await request(`http://127.0.0.1:${port}/readyz`)).status).toBe(404);
    expect(await rawStatus(port, `GET http://127.0.0.1:${port}/internal/readyz HTTP/1.1`)).toBe(200);
    expect(await rawStatus(port, `GET http://127.0.0.1:${port}/internal/readyz/%2e%2e/livez HTTP/1.1`)).toBe(
      404,
    );
  });
});
