import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeLameduck, type NodeLameduck } from './node-lameduck.js';
import { DEFAULT_PORT, startServer } from './start-server.js';

const quiet = () => createNodeLameduck({ logger: false, signals: false, exitOnSignal: false });

describe('startServer', () => {
  const lifecycles: NodeLameduck[] = [];
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(lifecycles.splice(0).map((lameduck) => lameduck.shutdown('test finished')));
    for (const server of servers.splice(0)) server.close();
  });

  const start = (lameduck: NodeLameduck, options: Parameters<typeof startServer>[2], env = {}) =>
    startServer(
      lameduck,
      createServer((_request, response) => response.end('hi')),
      options,
      env,
    );

  it('refuses something that cannot listen, naming what it needs', () => {
    const lameduck = quiet();
    lifecycles.push(lameduck);
    for (const app of [() => createServer(), {}, null]) {
      expect(() => startServer(lameduck, app as never, { port: 0 })).toThrow(
        /startServer\(lameduck, app\) needs something with listen\(port, host, callback\), such as an http.Server/,
      );
    }
  });

  it('listens, attaches the server to the drain engine, and resolves once listening', async () => {
    const lameduck = quiet();
    lifecycles.push(lameduck);
    const server = await start(lameduck, { port: 0, host: '127.0.0.1' });
    expect(server.listening).toBe(true);
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    expect(await response.text()).toBe('hi');
    const result = await lameduck.shutdown('test');
    expect(server.listening).toBe(false);
    expect(result.exitCode).toBe(0);
  });

  it('after the shutdown completed, refuses to listen with a LameduckConfigError and leaves no server listening', async () => {
    const lameduck = quiet();
    await lameduck.shutdown('test');
    const server = createServer();
    servers.push(server);
    let listened = false;
    server.on('listening', () => {
      listened = true;
    });
    await expect(async () => startServer(lameduck, server, { port: 0, host: '127.0.0.1' })).rejects.toThrow(
      /^listen\(\) after the shutdown completed: this lifecycle is closed and would never drain the server; attach servers before the shutdown, or create a new lifecycle for a process that serves again$/,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listened).toBe(false);
    expect(server.listening).toBe(false);
  });

  it('during the shutdown, a server started late joins it: resolves, not listening', async () => {
    const lameduck = createNodeLameduck({
      logger: false,
      signals: false,
      exitOnSignal: false,
      drainDelayMs: 300,
    });
    const shutdown = lameduck.shutdown('test');
    const server = await start(lameduck, { port: 0, host: '127.0.0.1' });
    expect(server.listening).toBe(false);
    await shutdown;
  });

  it('takes the port from PORT when no port option is given', async () => {
    const blocker = createServer();
    servers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const freePort = (blocker.address() as AddressInfo).port;
    blocker.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lameduck = quiet();
    lifecycles.push(lameduck);
    const server = await start(lameduck, { host: '127.0.0.1' }, { PORT: String(freePort) });
    expect((server.address() as AddressInfo).port).toBe(freePort);
  });

  it('defaults to 8080 without PORT or a port option', () => {
    expect(DEFAULT_PORT).toBe(8080);
  });

  it('rejects with one line when the port is in use', async () => {
    const blocker = createServer();
    servers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const lameduck = quiet();
    lifecycles.push(lameduck);
    await expect(start(lameduck, { port, host: '127.0.0.1' })).rejects.toThrow(
      `cannot listen on 127.0.0.1 port ${port}: the port is already in use; stop the other process or set PORT`,
    );
  });

  it.each([
    [{ port: -1 }, {}, 'port must be an integer from 0 to 65535, got number -1'],
    [{ port: 70_000 }, {}, 'port must be an integer from 0 to 65535'],
    [{ port: '8080' }, {}, 'port must be an integer from 0 to 65535, got the string "8080"'],
    [{}, { PORT: 'http' }, 'PORT must be an integer from 0 to 65535, got "http"'],
    [{}, { PORT: '99999' }, 'PORT must be an integer from 0 to 65535, got "99999"'],
    [{ port: 0, host: '' }, {}, 'host must be a host name or address'],
  ])('refuses %o (env %o) before starting anything', (options, env, message) => {
    const lameduck = quiet();
    lifecycles.push(lameduck);
    let started = false;
    expect(() =>
      startServer(
        lameduck,
        {
          listen: () => {
            started = true;
            return createServer();
          },
        },
        options as never,
        env,
      ),
    ).toThrow(message);
    expect(started).toBe(false);
  });
});
