import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHard, connectRaw, get, listen, until } from '../../test/support/http.js';
import { recordingLogger } from '../../test/support/logger.js';
import { createNodeLameduck } from './node-lameduck.js';
import { respondToNode } from './respond-to-node.js';

// The drain sequence in-process, started with shutdown(): the same code a signal runs, minus
// the exit (the child-process tests in test/ cover signals and exit codes).

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const slowHandler = (request: IncomingMessage, response: ServerResponse) => {
  const ms = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('ms') ?? 0);
  setTimeout(() => response.end(`slept ${ms}`), ms);
};

async function service(options: Parameters<typeof createNodeLameduck>[0] = {}) {
  const { logger, lines } = recordingLogger({ dropPrefix: true });
  const lameduck = createNodeLameduck({ logger, signals: false, ...options });
  const server = lameduck.attach(createServer(slowHandler));
  const port = await listen(server);
  lameduck.ready();
  cleanups.push(
    () => lameduck.dispose(),
    () => (server.listening ? closeHard(server) : undefined),
  );
  return { lameduck, server, port, lines };
}

describe('shutdown(): the drain sequence', () => {
  it('drains in order: draining at once, delay with Connection: close, close, wait, hooks, closed', async () => {
    // No quiet window: the request made during the delay would hold the listener open 1 s more.
    const { lameduck, port, lines } = await service({
      drainDelayMs: 300,
      drainTimeoutMs: 5000,
      quietWindowMs: 0,
    });
    const timeline: string[] = [];
    lameduck.on('state', ({ to }) => timeline.push(`state ${to}`));
    lameduck.onDrainStart('notice', () => {
      timeline.push('early notice');
    });
    lameduck.onCleanup('registered first', () => {
      timeline.push('cleanup registered first');
    });
    lameduck.onCleanup('registered second', () => {
      timeline.push('cleanup registered second');
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => agent.destroy());
    await get(port, '/', { agent }); // an idle keep-alive socket
    const busy = get(port, '/slow?ms=600').then((reply) => {
      timeline.push('slow response');
      return reply;
    });
    await until(() => lameduck.inFlight === 1);

    const result = lameduck.shutdown('test');
    expect(lameduck.state).toBe('draining'); // before any await
    expect(lameduck.shutdown('again')).toBe(result);

    const duringDelay = await get(port, '/'); // a new connection: still accepted
    expect(duringDelay).toMatchObject({ status: 200, headers: { connection: 'close' } });
    await sleep(400); // past the 300 ms delay
    await expect(get(port, '/')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    expect((await busy).headers.connection).toBe('close');
    const outcome = await result;
    expect(timeline).toEqual([
      'state draining',
      'early notice',
      'slow response',
      'cleanup registered second',
      'cleanup registered first',
      'state closed',
    ]);
    expect(outcome).toMatchObject({
      reason: 'test',
      inFlightAtStart: 1,
      connectionsAtStart: 2,
      forced: false,
      destroyedConnections: 0,
      abandonedRequests: 0,
      failedHooks: [],
      exitCode: 0,
    });
    expect(outcome.drainDelayMs).toBeGreaterThanOrEqual(290);
    expect(outcome.durationMs).toBeGreaterThanOrEqual(550);
    expect(outcome.durationMs).toBeLessThan(5000);
    expect(lameduck.deadlineSignal.aborted).toBe(false);
    expect(lines).toContainEqual(
      expect.stringMatching(/^info shutting down \(test\): 1 request\(s\) in flight on 2 connection\(s\)/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^info drain delay over after \d+ ms: listeners closed; closed 0 idle connection\(s\), 1 recently active idle connection\(s\) get up to 1000 ms/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^info shutdown complete in \d+ ms: forced no, 0 failed hook\(s\), exit code 0$/),
    );
  });

  it('cuts a request longer than the drain timeout at the deadline, and says so', async () => {
    const { lameduck, port, lines } = await service({ drainDelayMs: 0, drainTimeoutMs: 300 });
    let hookSawDeadline: boolean | undefined;
    lameduck.onCleanup('after the deadline', () => {
      hookSawDeadline = lameduck.deadlineSignal.aborted;
    });
    const cut = get(port, '/slow?ms=10000').catch((error: unknown) => error);
    const finishes = get(port, '/slow?ms=100');
    await until(() => lameduck.inFlight === 2);
    const startedAt = Date.now();
    const result = await lameduck.shutdown('test');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
    expect(Date.now() - startedAt).toBeLessThan(3000);
    expect(await cut).toMatchObject({ code: 'ECONNRESET' });
    expect((await finishes).status).toBe(200);
    expect(result).toMatchObject({
      forced: true,
      destroyedConnections: 1,
      abandonedRequests: 1,
      exitCode: 1,
    });
    expect(lameduck.deadlineSignal.aborted).toBe(true);
    expect(hookSawDeadline).toBe(true);
    expect(lines).toContainEqual(
      'error drain timeout of 300 ms reached: destroyed 1 connection(s) with 1 request(s) still in flight',
    );
  });

  it('runs every cleanup hook even when one throws and one hangs; exit code 1', async () => {
    const { lameduck, lines } = await service({ drainTimeoutMs: 1000 });
    const ran: string[] = [];
    lameduck.onCleanup('ok-1', () => {
      ran.push('ok-1');
    });
    lameduck.onCleanup('throws', () => {
      ran.push('throws');
      throw new Error('flush failed');
    });
    lameduck.onCleanup(
      'hangs',
      () => {
        ran.push('hangs');
        return new Promise(() => {});
      },
      { timeoutMs: 100 },
    );
    lameduck.onCleanup('ok-2', () => {
      ran.push('ok-2');
    });
    const result = await lameduck.shutdown('test');
    expect(ran).toEqual(['ok-2', 'hangs', 'throws', 'ok-1']);
    expect(result.failedHooks.map((hook) => [hook.name, hook.timedOut])).toEqual([
      ['hangs', true],
      ['throws', false],
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.forced).toBe(false);
    expect(lines.filter((line) => line.startsWith('error'))).toEqual([
      'error cleanup hook "hangs" did not finish within its 100 ms timeout; abandoned it (its signal is aborted) and moved on',
      expect.stringMatching(/^error cleanup hook "throws" failed after \d+ ms: flush failed$/),
    ]);
  });

  it('tells an early-notice hook registered during the drain at once', async () => {
    const { lameduck } = await service({ drainDelayMs: 200 });
    const result = lameduck.shutdown('test');
    let told = false;
    lameduck.onDrainStart('late', () => {
      told = true;
    });
    await until(() => told);
    expect((await result).exitCode).toBe(0);
  });

  it('hands upgraded sockets to the hook when the listeners close', async () => {
    const { lameduck, server, port } = await service();
    server.on('upgrade', (_request, socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
    });
    const client = await connectRaw(port);
    client.write('GET /chat HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
    await new Promise((resolve) => client.once('data', resolve));
    const handed: string[] = [];
    lameduck.onUpgradedSockets('goodbye', (sockets) => {
      for (const { socket, request } of sockets) {
        handed.push(request.url ?? '');
        socket.end('bye');
      }
    });
    const result = await lameduck.shutdown('test');
    await client.whenClosed;
    expect(handed).toEqual(['/chat']);
    expect(result).toMatchObject({ forced: false, exitCode: 0 });
  });

  it('closes upgraded sockets itself when no hook takes them', async () => {
    const { lameduck, server, port } = await service();
    server.on('upgrade', (_request, socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
    });
    const client = await connectRaw(port);
    client.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n');
    await new Promise((resolve) => client.once('data', resolve));
    client.on('end', () => client.end()); // a polite peer answers FIN with FIN
    const result = await lameduck.shutdown('test');
    await client.whenClosed;
    expect(result.exitCode).toBe(0);
  });

  it('drains several servers in one lifecycle (a public port and an admin port)', async () => {
    const {
      lameduck,
      server: publicServer,
      port,
    } = await service({ drainDelayMs: 500, drainTimeoutMs: 2000 });
    const admin: Server = lameduck.attach(
      createServer((request, response) => {
        if (!respondToNode(lameduck, request, response)) response.end('admin');
      }),
    );
    const adminPort = await listen(admin);
    cleanups.push(() => (admin.listening ? closeHard(admin) : undefined));
    const slowOnPublic = get(port, '/slow?ms=300');
    await until(() => lameduck.inFlight === 1);
    const result = lameduck.shutdown('test');
    expect((await get(adminPort, '/readyz')).status).toBe(503);
    expect((await get(adminPort, '/livez')).status).toBe(200);
    expect((await slowOnPublic).status).toBe(200);
    expect(await result).toMatchObject({ exitCode: 0, inFlightAtStart: 1 });
    expect(publicServer.listening).toBe(false);
    expect(admin.listening).toBe(false);
  });
});
