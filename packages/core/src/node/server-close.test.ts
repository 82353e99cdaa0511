import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeLameduck } from './node-lameduck.js';
import { ServerCloseWatch } from './server-close.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    if (server.listening) await new Promise((resolve) => server.close(resolve));
  }
});

async function listening(): Promise<Server> {
  const server = createServer((_request, response) => response.end('ok\n'));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('ServerCloseWatch', () => {
  it("waits for the 'close' Node emits a tick after server.close()", async () => {
    const server = await listening();
    const watch = new ServerCloseWatch();
    watch.watch(server);
    let closed = false;
    server.on('close', () => {
      closed = true;
    });
    server.close();
    expect(closed).toBe(false); // not yet: Node emits it on a later tick
    expect(await watch.whenClosed(1000)).toBe(0);
    expect(closed).toBe(true);
  });

  it('a server with a connection open stays open until the bound, then says how many are left', async () => {
    const server = await listening();
    const port = (server.address() as { port: number }).port;
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => server.once('connection', resolve));
    const watch = new ServerCloseWatch();
    watch.watch(server);
    server.close();
    const startedAt = performance.now();
    expect(await watch.whenClosed(150)).toBe(1);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(140);
    socket.destroy();
    expect(await watch.whenClosed(1000)).toBe(0);
  });

  it('a server that never listens is not waited for; one that listens later is', async () => {
    const never = createServer();
    const watch = new ServerCloseWatch();
    watch.watch(never);
    expect(watch.open).toBe(0);
    const later = createServer();
    servers.push(later);
    watch.watch(later);
    await new Promise<void>((resolve) => later.listen(0, '127.0.0.1', resolve));
    expect(watch.open).toBe(1);
    later.close();
    expect(await watch.whenClosed(1000)).toBe(0);
  });

  it('an aborted signal ends the wait at once', async () => {
    const server = await listening();
    const port = (server.address() as { port: number }).port;
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => server.once('connection', resolve));
    const watch = new ServerCloseWatch();
    watch.watch(server);
    server.close();
    const forcing = new AbortController();
    setTimeout(() => forcing.abort(), 20);
    const startedAt = performance.now();
    expect(await watch.whenClosed(5000, forcing.signal)).toBe(1);
    expect(performance.now() - startedAt).toBeLessThan(2000);
    socket.destroy();
  });
});

describe("the shutdown and servers' close events", () => {
  it("runs the cleanup hooks after every server's close handler", async () => {
    const lameduck = createNodeLameduck({ logger: false, signals: false, drainDelayMs: 0 });
    const steps: string[] = [];
    for (const name of ['a', 'b']) {
      const server = lameduck.attach(await listening());
      server.on('close', () => steps.push(`close ${name}`));
    }
    lameduck.onCleanup('pool', () => {
      steps.push('cleanup');
    });
    expect((await lameduck.shutdown('test')).exitCode).toBe(0);
    expect(steps).toEqual(['close a', 'close b', 'cleanup']);
  });

  it('does not wait out the drain timeout for a server held open by a socket lameduck never saw', async () => {
    const warnings: string[] = [];
    const lameduck = createNodeLameduck({
      logger: { info: () => {}, warn: (message) => warnings.push(message), error: () => {} },
      signals: false,
      drainDelayMs: 0,
      drainTimeoutMs: 10_000,
    });
    const server = await listening();
    const port = (server.address() as { port: number }).port;
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => server.once('connection', resolve));
    lameduck.attach(server); // too late for that socket: it was accepted before
    const startedAt = performance.now();
    const result = await lameduck.shutdown('test');
    expect(performance.now() - startedAt).toBeLessThan(3000);
    expect(result.exitCode).toBe(0);
    expect(warnings).toContainEqual(
      expect.stringMatching(/1 server\(s\) had not emitted 'close' when the cleanup hooks started/),
    );
    socket.destroy();
  });
});
