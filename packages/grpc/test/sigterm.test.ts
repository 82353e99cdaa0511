import { fileURLToPath } from 'node:url';
import { type Client, credentials, type ServiceError } from '@grpc/grpc-js';
import { killAllChildren, spawnNode } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { EchoClient } from './fixtures/echo-service.mjs';
import { healthClient } from './support.js';

// A real process receiving a real SIGTERM with unary and server-streaming calls in flight, and
// clients that keep starting calls for a while after it, as a Service's endpoints keep sending
// to a terminating pod until the endpoint removal reaches them. Beside it, the same service
// stopped the way grpc-js's examples stop it: tryShutdown() at SIGTERM.

const fixture = fileURLToPath(new URL('./fixtures/grpc-server.mjs', import.meta.url));
afterEach(() => killAllChildren());

/** How long after SIGTERM the clients keep starting calls (the endpoints' lag). */
const KEEP_SENDING_MS = 600;
/** The drain delay: longer than that lag, with a margin for a busy 2-CPU machine. */
const DRAIN_DELAY_MS = 1500;
const CLIENTS = 4;

interface Outcomes {
  ok: number;
  failed: Record<string, number>;
  afterSigterm: number;
}

/**
 * `CLIENTS` channels, each on its own connection, each running a unary call (Sleep 100 ms) and
 * a server-streaming call (Count: 5 messages 40 ms apart) back to back until `stop()`.
 */
function load(port: number) {
  const outcomes: Outcomes = { ok: 0, failed: {}, afterSigterm: 0 };
  let sending = true;
  let sigtermAt = Number.POSITIVE_INFINITY;
  const clients: Client[] = [];
  const record = (startedAt: number, error?: ServiceError) => {
    if (error) {
      const key = `${error.code} ${error.details}`.slice(0, 120);
      outcomes.failed[key] = (outcomes.failed[key] ?? 0) + 1;
    } else {
      outcomes.ok += 1;
      if (startedAt >= sigtermAt) outcomes.afterSigterm += 1;
    }
  };
  const loops: Promise<void>[] = [];
  for (let index = 0; index < CLIENTS; index += 1) {
    // Its own subchannel pool: its own HTTP/2 connection, as separate client pods have.
    const client = new EchoClient(`127.0.0.1:${port}`, credentials.createInsecure(), {
      'grpc.use_local_subchannel_pool': 1,
    });
    clients.push(client);
    loops.push(
      (async () => {
        while (sending) {
          const startedAt = performance.now();
          await new Promise<void>((resolve) =>
            client.sleep({ ms: 100 }, (error: ServiceError | null) => {
              record(startedAt, error ?? undefined);
              resolve();
            }),
          );
        }
      })(),
      (async () => {
        while (sending) {
          const startedAt = performance.now();
          await new Promise<void>((resolve) => {
            let messages = 0;
            const call = client.count({ count: 5, everyMs: 40 });
            call.on('data', () => {
              messages += 1;
            });
            call.on('error', (error: ServiceError) => {
              record(startedAt, error);
              resolve();
            });
            call.on('status', (status: { code: number }) => {
              if (status.code !== 0) return; // 'error' has it
              if (messages === 5) record(startedAt);
              else
                record(startedAt, {
                  code: -1,
                  details: `${messages} of 5 messages`,
                } as unknown as ServiceError);
              resolve();
            });
          });
        }
      })(),
    );
  }
  return {
    outcomes,
    sigterm() {
      sigtermAt = performance.now();
    },
    async stop() {
      sending = false;
      await Promise.all(loops);
      for (const client of clients) client.close();
      return outcomes;
    },
  };
}

const failures = (outcomes: Outcomes) =>
  Object.values(outcomes.failed).reduce((sum, count) => sum + count, 0);

describe('SIGTERM with calls in flight and calls still arriving', () => {
  it(`lameduck: 0 failed calls (unary and server-streaming), cleanup after the last call, exit 0`, async () => {
    const child = spawnNode(fixture, { env: { DRAIN_DELAY_MS: String(DRAIN_DELAY_MS) } });
    const { port } = await child.waitForEvent('listening');
    const traffic = load(port);
    const health = healthClient(port);
    const watched: string[] = [];
    const watch = health.Watch({ service: '' });
    watch.on('data', ({ status }: { status: string }) => watched.push(status));
    const watchEnded = new Promise((resolve) =>
      watch.on('status', ({ code }: { code: number }) => resolve(code)),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    traffic.sigterm();
    child.signal('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, KEEP_SENDING_MS));
    const outcomes = await traffic.stop();
    const exit = await child.exited;
    health.close();
    if (process.env.GRPC_DRAIN_REPORT) console.log('lameduck', JSON.stringify(outcomes));

    expect(outcomes.failed).toEqual({});
    expect(outcomes.afterSigterm).toBeGreaterThan(CLIENTS); // answered during the drain delay
    expect(outcomes.ok).toBeGreaterThan(20);
    expect(exit.code).toBe(0);
    expect(child.events('state').map((event) => event.to)).toEqual(['draining', 'closed']);
    expect(child.events('cleanup')).toEqual([expect.objectContaining({ inFlight: 0 })]);
    // The Watch saw the drain at once and ended cleanly as the listeners closed.
    expect(watched).toEqual(['SERVING', 'NOT_SERVING']);
    expect(await watchEnded).toBe(0);
  });

  it('naive tryShutdown() at SIGTERM: the calls still arriving fail (UNAVAILABLE)', async () => {
    const child = spawnNode(fixture, { env: { NAIVE: '1' } });
    const { port } = await child.waitForEvent('listening');
    const traffic = load(port);
    await new Promise((resolve) => setTimeout(resolve, 500));
    traffic.sigterm();
    child.signal('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, KEEP_SENDING_MS));
    const outcomes = await traffic.stop();
    await child.exited;
    if (process.env.GRPC_DRAIN_REPORT) console.log('naive', JSON.stringify(outcomes));

    expect(failures(outcomes)).toBeGreaterThan(0);
    expect(Object.keys(outcomes.failed).every((key) => key.startsWith('14 '))).toBe(true); // UNAVAILABLE
  });
});
