import { fileURLToPath } from 'node:url';
import { killAllChildren, spawnNode } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { testTls } from './support/http.js';

// The app's own server.on('close') handlers (and libraries that clean up there) are part of the
// shutdown: they run before the cleanup hooks and before the process exits.

afterEach(() => killAllChildren());

const fixture = fileURLToPath(new URL('./fixtures/close-events.mjs', import.meta.url));
const ORDER = /"event":"(server-closed|cleanup-ran)"|exiting with code/;

describe("servers' close events", () => {
  it('three attached servers (http, https, HTTP/2), SIGTERM: every close handler runs, then cleanup, then exit 0', async () => {
    const child = spawnNode(fixture, { env: { DRAIN_DELAY_MS: '100' } });
    await child.waitForEvent('listening');
    child.signal('SIGTERM');
    expect((await child.exited).code).toBe(0);
    expect(
      child
        .events('server-closed')
        .map((event) => event.name as string)
        .sort(),
    ).toEqual(['h2', 'http', 'https']);
    const steps = child.lines
      .filter((line) => ORDER.test(line))
      .map((line) => line.match(ORDER)?.[1] ?? 'exit');
    expect(steps).toEqual(['server-closed', 'server-closed', 'server-closed', 'cleanup-ran', 'exit']);
  });

  it('with an idle keep-alive client on each server: every close handler runs before exit 0', async () => {
    const child = spawnNode(fixture, { env: { DRAIN_DELAY_MS: '100' } });
    const { ports } = await child.waitForEvent('listening');
    const http = await import('node:http');
    const https = await import('node:https');
    const http2 = await import('node:http2');
    const agent = new http.Agent({ keepAlive: true });
    const tlsAgent = new https.Agent({ keepAlive: true, ca: testTls.cert });
    const session = http2.connect(`https://localhost:${ports.h2}`, { ca: testTls.cert });
    session.on('error', () => {});
    const answered = (start: (done: (status: number) => void) => void) =>
      new Promise<number>((resolve) => start(resolve));
    const statuses = await Promise.all([
      answered((done) =>
        http.get({ host: '127.0.0.1', port: ports.http, agent }, (res) =>
          res.resume().on('end', () => done(res.statusCode ?? 0)),
        ),
      ),
      answered((done) =>
        https.get({ host: 'localhost', port: ports.https, agent: tlsAgent }, (res) =>
          res.resume().on('end', () => done(res.statusCode ?? 0)),
        ),
      ),
      answered((done) => {
        const stream = session.request({ ':path': '/' });
        let status = 0;
        stream.on('response', (headers) => {
          status = Number(headers[':status']);
        });
        stream.resume().on('end', () => done(status));
      }),
    ]);
    expect(statuses).toEqual([200, 200, 200]);
    child.signal('SIGTERM');
    expect((await child.exited).code).toBe(0);
    agent.destroy();
    tlsAgent.destroy();
    session.destroy();
    expect(
      child
        .events('server-closed')
        .map((event) => event.name as string)
        .sort(),
    ).toEqual(['h2', 'http', 'https']);
    const steps = child.lines
      .filter((line) => ORDER.test(line))
      .map((line) => line.match(ORDER)?.[1] ?? 'exit');
    expect(steps.slice(-2)).toEqual(['cleanup-ran', 'exit']);
  });
});
