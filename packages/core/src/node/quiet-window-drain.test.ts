import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHard, listen } from '../../test/support/http.js';
import { recordingLogger } from '../../test/support/logger.js';
import { createNodeLameduck, type NodeLameduck } from './node-lameduck.js';
import { respondToNode } from './respond-to-node.js';

const created: NodeLameduck[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const lameduck of created.splice(0)) lameduck.dispose();
  for (const server of servers.splice(0)) await closeHard(server);
});

const POST = 'POST /orders HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}';

async function start(options: Parameters<typeof createNodeLameduck>[0]) {
  const { logger, lines } = recordingLogger({ dropPrefix: true });
  const lameduck = createNodeLameduck({ signals: false, env: false, logger, idleGraceMs: 0, ...options });
  created.push(lameduck);
  const server = lameduck.attach(
    createServer((request, response) => {
      if (respondToNode(lameduck, request, response)) return;
      request.resume();
      request.on('end', () => response.end('ok'));
    }),
  );
  servers.push(server);
  const port = await listen(server);
  lameduck.ready();
  return { lameduck, port, lines };
}

/** A pooled connection, as a proxy keeps one: a raw socket that answered one POST and sits idle. */
async function pooled(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
  });
  const closedAt = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now())));
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(POST);
  const answers = () => received.split('HTTP/1.1 200').length - 1;
  while (answers() < 1) await sleep(10);
  return {
    closedAt,
    /** Sends the next POST on it; resolves true when answered. */
    async reuse(): Promise<boolean> {
      if (socket.destroyed) return false;
      socket.write(POST);
      const until = performance.now() + 2000;
      while (answers() < 2 && !socket.destroyed && performance.now() < until) await sleep(10);
      return answers() === 2;
    },
  };
}

/** One request every `everyMs` on a connection of its own (the drain answers with Connection: close). */
function steadyLoad(port: number, target: string, everyMs = 200) {
  let running = true;
  let answered = 0;
  const done = (async () => {
    while (running) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.on('data', () => answered++);
      socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      await sleep(everyMs);
      socket.destroy();
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
    },
    answered: () => answered,
  };
}

describe('the quiet window: idle pooled connections close once no request came for quietWindowMs', () => {
  // Regression (issue 24): behind an ingress that lags the pause, closing idle pooled sockets
  // right after the delay made the ingress's next POST on one fail (a 502, not retried).
  it('keeps idle pooled sockets open while requests still arrive after the delay, and closes them once quiet', async () => {
    const { lameduck, port, lines } = await start({
      drainDelayMs: 300,
      drainTimeoutMs: 10_000,
      quietWindowMs: 1_000,
    });
    const idle = await pooled(port);
    const reused = await pooled(port);
    const load = steadyLoad(port, '/orders');
    await sleep(100);
    const startedAt = performance.now();
    const shutdown = lameduck.shutdown();
    await sleep(1_200); // the ingress still routes here, 900 ms past the delay
    expect(await reused.reuse()).toBe(true);
    await sleep(300);
    const stoppedAt = performance.now();
    await load.stop();
    const result = await shutdown;
    const closedAfterStopMs = (await idle.closedAt) - stoppedAt;
    expect(load.answered()).toBeGreaterThan(5);
    expect(closedAfterStopMs).toBeGreaterThan(700);
    expect(closedAfterStopMs).toBeLessThan(2_500);
    expect(result.exitCode).toBe(0);
    expect(result.quietWaitMs).toBeGreaterThan(1_500);
    expect(result.quietWaitMs).toBeLessThan(5_000);
    expect((await idle.closedAt) - startedAt).toBeGreaterThan(2_000);
    expect(lines).toContainEqual(
      expect.stringMatching(/^info quiet after \d+ ms: no new request for the 1000 ms quiet window/),
    );
  }, 20_000);

  it('is not held open by probes: the kubelet keeps probing a leaving pod', async () => {
    const { lameduck, port } = await start({
      drainDelayMs: 300,
      drainTimeoutMs: 10_000,
      quietWindowMs: 1_000,
    });
    const idle = await pooled(port);
    await sleep(1_100); // its last answer is older than the window
    const probes = steadyLoad(port, '/readyz');
    await sleep(100);
    const startedAt = performance.now();
    const result = await lameduck.shutdown();
    const closedAfterMs = (await idle.closedAt) - startedAt;
    await probes.stop();
    expect(probes.answered()).toBeGreaterThan(0);
    expect(result.quietWaitMs).toBe(0);
    expect(closedAfterMs).toBeLessThan(900);
  }, 15_000);

  // With a preStop sleep instead of a drain delay, the proxy's last requests came just before SIGTERM.
  it('with no drain delay, waits out the window after the last answer before SIGTERM', async () => {
    const { lameduck, port } = await start({ drainDelayMs: 0, drainTimeoutMs: 10_000, quietWindowMs: 1_000 });
    const idle = await pooled(port);
    const reused = await pooled(port);
    const startedAt = performance.now();
    const shutdown = lameduck.shutdown();
    await sleep(500);
    expect(await reused.reuse()).toBe(true);
    const result = await shutdown;
    expect(result.quietWaitMs).toBeGreaterThan(1_000);
    expect((await idle.closedAt) - startedAt).toBeGreaterThan(1_000);
  }, 15_000);

  it('stops waiting at half the drain timeout, with a warning naming the numbers', async () => {
    const { lameduck, port, lines } = await start({
      drainDelayMs: 200,
      drainTimeoutMs: 2_000,
      quietWindowMs: 1_000,
    });
    // Every 50 ms: gaps stay far below the window even when a busy machine runs timers late.
    const load = steadyLoad(port, '/orders', 50);
    await sleep(300);
    const result = await lameduck.shutdown();
    await load.stop();
    expect(result.quietWaitMs).toBeGreaterThanOrEqual(1_000);
    expect(result.quietWaitMs).toBeLessThan(1_600);
    expect(result.exitCode).toBe(0);
    expect(lines).toContainEqual(
      'warn requests still arriving after the drain delay: no 1000 ms quiet window within 1000 ms (half the 2000 ms drain timeout); closing idle connections anyway. Raise the drain delay (or the preStop sleep) above the lag of the proxy in front',
    );
  }, 15_000);
});
