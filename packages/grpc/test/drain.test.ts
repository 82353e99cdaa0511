import { connect } from 'node:net';
import { type Client, credentials, Server, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { createLameduck, type GrpcLameduck, LameduckConfigError } from '../src/index.js';
import { EchoClient } from './fixtures/echo-service.mjs';
import { QUIET, serve } from './support.js';

// The drain of a grpc-js server, in process: calls in flight finish, long streams are told
// (drainSignal, core's) and finish, what is left is cut at the deadline, cleanup runs after the last call.

let lameduck: GrpcLameduck | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  if (lameduck && lameduck.state !== 'closed') await lameduck.shutdown('test finished');
  lameduck = undefined;
});

const start = async (options: Parameters<typeof createLameduck>[0] = {}) => {
  lameduck = createLameduck({ ...QUIET, drainDelayMs: 0, drainTimeoutMs: 2000, ...options });
  const served = await serve(lameduck);
  lameduck.ready();
  return { lameduck, ...served, client: () => echoClient(served.port) };
};

// biome-ignore lint/suspicious/noExplicitAny: a generic client's methods are untyped.
function echoClient(port: number): Client & Record<string, any> {
  const client = new EchoClient(`127.0.0.1:${port}`, credentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1,
  });
  clients.push(client);
  return client;
}

/** Resolves once a TCP connection to the port opens (then closes it); rejects with the error. */
function connectTo(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve();
    });
    socket.on('error', reject);
  });
}

function unary(client: ReturnType<typeof echoClient>, ms: number): Promise<{ code: number; slept?: number }> {
  return new Promise((resolve) =>
    client.sleep({ ms }, (error: ServiceError | null, response?: { slept: number }) =>
      resolve(error ? { code: error.code } : { code: 0, slept: response?.slept }),
    ),
  );
}

function stream(client: ReturnType<typeof echoClient>, request: object) {
  const call = client.count(request);
  let messages = 0;
  call.on('data', () => {
    messages += 1;
  });
  const firstMessage = new Promise<void>((resolve) => call.once('data', () => resolve()));
  const ended = new Promise<{ code: number; messages: number }>((resolve) => {
    call.on('error', (error: ServiceError) => resolve({ code: error.code, messages }));
    call.on('status', (status: { code: number }) => {
      if (status.code === 0) resolve({ code: 0, messages });
    });
  });
  return { firstMessage, ended };
}

describe('the drain', () => {
  it('a unary and a server-streaming call in flight finish; cleanup hooks run after the last; exit code 0', async () => {
    const { lameduck: lifecycle, client } = await start();
    const order: string[] = [];
    lifecycle.onCleanup('pool', () => {
      order.push(`cleanup (in flight: ${lifecycle.inFlight})`);
    });
    const echo = client();
    const call = unary(echo, 400).then((outcome) => {
      order.push('unary answered');
      return outcome;
    });
    const counting = stream(echo, { count: 8, everyMs: 50 });
    await counting.firstMessage;
    const result = await lifecycle.shutdown('test');
    expect(await call).toEqual({ code: 0, slept: 400 });
    expect(await counting.ended).toEqual({ code: 0, messages: 8 });
    expect(order).toEqual(['unary answered', 'cleanup (in flight: 0)']);
    expect(result).toMatchObject({ exitCode: 0, forced: false, inFlightAtStart: 2, abandonedRequests: 0 });
  });

  it('calls on new connections during the drain delay are answered', async () => {
    const { lameduck: lifecycle, port } = await start({ drainDelayMs: 400 });
    const result = lifecycle.shutdown('test');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(lifecycle.state).toBe('draining');
    expect(await unary(echoClient(port), 10)).toEqual({ code: 0, slept: 10 });
    expect((await result).exitCode).toBe(0);
  });

  it("drainSignal (core's) aborts when the drain starts: a long stream that watches it ends cleanly, the delay still runs; exit code 0", async () => {
    const { lameduck: lifecycle, client } = await start({ drainDelayMs: 300 });
    const feed = stream(client(), { count: 10_000, everyMs: 20, untilDrain: true });
    await feed.firstMessage;
    const startedAt = performance.now();
    const result = lifecycle.shutdown('test');
    expect(lifecycle.drainSignal.aborted).toBe(true);
    const ended = await feed.ended;
    expect(performance.now() - startedAt).toBeLessThan(250);
    expect(ended.code).toBe(0);
    expect(await result).toMatchObject({ exitCode: 0, forced: false });
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(290);
    expect(lifecycle.deadlineSignal.aborted).toBe(false);
  });

  it('a stream that ignores it is cut at the drain timeout: deadlineSignal aborts, the result says forced, exit code 1', async () => {
    const { lameduck: lifecycle, client } = await start({ drainTimeoutMs: 300 });
    const feed = stream(client(), { count: 10_000, everyMs: 20 });
    await feed.firstMessage;
    const startedAt = performance.now();
    const result = await lifecycle.shutdown('test');
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(290);
    expect(lifecycle.deadlineSignal.aborted).toBe(true);
    expect(result).toMatchObject({
      exitCode: 1,
      forced: true,
      abandonedRequests: 1,
      destroyedConnections: 1,
    });
    expect((await feed.ended).code).not.toBe(0);
  });
});

describe('listen()', () => {
  it('says in one line that the port is taken', async () => {
    const { port } = await start();
    const second = createLameduck(QUIET);
    await expect(second.listen(new Server(), { port, host: '127.0.0.1' })).rejects.toThrow(
      `cannot listen on 127.0.0.1 port ${port}: the port is already in use; stop the other process or set PORT`,
    );
    second.dispose();
  });

  it('refuses what is not a grpc-js Server, a bad port and bad credentials, with a LameduckConfigError', async () => {
    lameduck = createLameduck(QUIET);
    const server = new Server();
    await expect(lameduck.listen({} as Server)).rejects.toThrow(LameduckConfigError);
    await expect(lameduck.listen(server, { port: 70_000 })).rejects.toThrow(
      'port must be an integer from 0 to 65535, got number 70000',
    );
    await expect(lameduck.listen(server, { port: 0, credentials: {} as never })).rejects.toThrow(
      /^credentials must be a ServerCredentials/,
    );
  });

  it('after the shutdown completed it throws before binding', async () => {
    lameduck = createLameduck(QUIET);
    await lameduck.shutdown('test');
    await expect(lameduck.listen(new Server(), { port: 0, host: '127.0.0.1' })).rejects.toThrow(
      /^listen\(\) after the shutdown completed/,
    );
  });

  it('twice on one server (a second port): both are served, drained and closed', async () => {
    lameduck = createLameduck({ ...QUIET, drainDelayMs: 0 });
    const server = new Server();
    const first = await lameduck.listen(server, { port: 0, host: '127.0.0.1' });
    const second = await lameduck.listen(server, { port: 0, host: '127.0.0.1' });
    expect(second).not.toBe(first);
    lameduck.ready();
    const answers = await Promise.all([first, second].map((port) => unary(echoClient(port), 0)));
    expect(answers.map((answer) => answer.code)).toEqual([12, 12]); // UNIMPLEMENTED: no Echo here, but served
    const result = await lameduck.shutdown('test');
    expect(result).toMatchObject({ exitCode: 0, failedHooks: [] });
    for (const port of [first, second]) await expect(connectTo(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('a shutdown that starts while bindAsync is still binding: the server joins it and stops listening', async () => {
    // The delay keeps the shutdown running until the bind is done, however slow the machine.
    lameduck = createLameduck({ ...QUIET, drainDelayMs: 300 });
    const listening = lameduck.listen(new Server(), { port: 0, host: '127.0.0.1' });
    const result = lameduck.shutdown('test');
    const port = await listening;
    expect((await result).exitCode).toBe(0);
    await expect(connectTo(port)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('adds the health service once, whether addHealthService() came first or not', async () => {
    lameduck = createLameduck(QUIET);
    const server = new Server();
    expect(lameduck.addHealthService(server)).toBe(server);
    lameduck.addHealthService(server);
    const port = await lameduck.listen(server, { port: 0, host: '127.0.0.1' });
    expect(port).toBeGreaterThan(0);
  });
});
