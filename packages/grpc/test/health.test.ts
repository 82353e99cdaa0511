import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientReadableStream, ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { createLameduck, type GrpcLameduck } from '../src/index.js';
import { check, type HealthClient, healthClient, QUIET, serve } from './support.js';

// grpc.health.v1.Health through a lifecycle, asked with grpc-health-check's own client.

let lameduck: GrpcLameduck | undefined;
const clients: HealthClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  if (lameduck && lameduck.state !== 'closed') await lameduck.shutdown('test finished');
  lameduck = undefined;
});

const start = async (options: Parameters<typeof createLameduck>[0] = {}) => {
  lameduck = createLameduck({ ...QUIET, drainDelayMs: 0, drainTimeoutMs: 2000, ...options });
  const { port } = await serve(lameduck);
  const client = healthClient(port);
  clients.push(client);
  return { lameduck, client, port };
};

/** A check passes by returning, fails by throwing. */
function failUnless(ok: boolean, why: string): void {
  if (!ok) throw new Error(why);
}

/** A Watch's messages as they come, and how it ended. */
function watch(client: HealthClient, service: string) {
  const statuses: string[] = [];
  const call: ClientReadableStream<{ status: string }> = client.Watch({ service });
  const waiters = new Set<() => void>();
  call.on('data', (message: { status: string }) => {
    statuses.push(message.status);
    for (const waiter of waiters) waiter();
  });
  const ended = new Promise<{ code: number }>((resolve) => {
    call.on('status', (status: { code: number }) => resolve({ code: status.code }));
    call.on('error', (error: ServiceError) => resolve({ code: error.code }));
  });
  const until = (count: number) =>
    new Promise<void>((resolve) => {
      const test = () => {
        if (statuses.length >= count) {
          waiters.delete(test);
          resolve();
        }
      };
      waiters.add(test);
      test();
    });
  return { statuses, ended, until, call };
}

describe('Check', () => {
  it('while starting: readiness and startup NOT_SERVING, liveness SERVING, an unknown name NOT_FOUND', async () => {
    const { client } = await start();
    expect(await check(client, '')).toBe('NOT_SERVING');
    expect(await check(client, 'readiness')).toBe('NOT_SERVING');
    expect(await check(client, 'test.Echo')).toBe('NOT_SERVING');
    expect(await check(client, 'startup')).toBe('NOT_SERVING');
    expect(await check(client, 'liveness')).toBe('SERVING');
    expect(await check(client, 'no.such.Service')).toEqual({ code: 5 }); // NOT_FOUND
  });

  it('once ready: SERVING for the empty name, the probe names and every registered service', async () => {
    const { lameduck: lifecycle, client } = await start();
    lifecycle.ready();
    for (const service of ['', 'readiness', 'liveness', 'startup', 'test.Echo', 'grpc.health.v1.Health']) {
      expect(await check(client, service)).toBe('SERVING');
    }
    expect(await check(client, 'test')).toEqual({ code: 5 });
  });

  it('answers from the checks: a failing readiness check fails readiness alone; a liveness check, liveness', async () => {
    const { lameduck: lifecycle, client } = await start();
    let databaseUp = false;
    let wedged = false;
    lifecycle.check('database', () => failUnless(databaseUp, 'database down'), { cacheTtlMs: 0 });
    lifecycle.check('event-loop', () => failUnless(!wedged, 'wedged'), { kind: 'liveness', cacheTtlMs: 0 });
    lifecycle.ready();
    expect(await check(client, '')).toBe('NOT_SERVING');
    expect(await check(client, 'test.Echo')).toBe('NOT_SERVING');
    expect(await check(client, 'liveness')).toBe('SERVING');
    databaseUp = true;
    expect(await check(client, '')).toBe('SERVING');
    wedged = true;
    expect(await check(client, 'liveness')).toBe('NOT_SERVING');
    expect(await check(client, '')).toBe('SERVING');
  });

  it('from the first moment of the drain: readiness NOT_SERVING, liveness still SERVING', async () => {
    const { lameduck: lifecycle, client } = await start({ drainDelayMs: 400 });
    lifecycle.ready();
    expect(await check(client, '')).toBe('SERVING');
    const result = lifecycle.shutdown('test drain');
    const [empty, named, liveness] = await Promise.all([
      check(client, ''),
      check(client, 'test.Echo'),
      check(client, 'liveness'),
    ]);
    expect({ empty, named, liveness }).toEqual({
      empty: 'NOT_SERVING',
      named: 'NOT_SERVING',
      liveness: 'SERVING',
    });
    expect((await result).exitCode).toBe(0);
  });
  it("with readinessWhileDraining: 'pass', readiness stays SERVING through the drain, as /readyz does", async () => {
    const { lameduck: lifecycle, client } = await start({
      drainDelayMs: 300,
      readinessWhileDraining: 'pass',
    });
    lifecycle.ready();
    const result = lifecycle.shutdown('test drain');
    expect(lifecycle.state).toBe('draining');
    expect(await check(client, '')).toBe('SERVING');
    expect((await result).exitCode).toBe(0);
  });
});

describe('Watch', () => {
  it('SERVING when ready, NOT_SERVING at the drain, then the stream ends (OK) as the listeners close: the drain is not held', async () => {
    const { lameduck: lifecycle, client } = await start({ drainDelayMs: 300 });
    const readiness = watch(client, '');
    const liveness = watch(client, 'liveness');
    await readiness.until(1);
    expect(readiness.statuses).toEqual(['NOT_SERVING']);
    lifecycle.ready();
    await readiness.until(2);
    expect(readiness.statuses).toEqual(['NOT_SERVING', 'SERVING']);

    const startedAt = performance.now();
    const result = lifecycle.shutdown('test drain');
    await readiness.until(3);
    // Told in the drain's first moments, long before the 300 ms delay ends.
    expect(performance.now() - startedAt).toBeLessThan(250);
    expect(readiness.statuses).toEqual(['NOT_SERVING', 'SERVING', 'NOT_SERVING']);
    expect(await readiness.ended).toEqual({ code: 0 });
    expect(await liveness.ended).toEqual({ code: 0 });
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(290);
    expect(liveness.statuses).toEqual(['SERVING']);
    const done = await result;
    expect(done).toMatchObject({ exitCode: 0, forced: false, abandonedRequests: 0 });
  });

  it('an unknown service: SERVICE_UNKNOWN, and the call stays open', async () => {
    const { lameduck: lifecycle, client } = await start();
    lifecycle.ready();
    const unknown = watch(client, 'no.such.Service');
    await unknown.until(1);
    expect(unknown.statuses).toEqual(['SERVICE_UNKNOWN']);
    const state = await Promise.race([unknown.ended, sleep(300).then(() => 'still open')]);
    expect(state).toBe('still open');
    unknown.call.cancel();
  });

  it('a check that starts failing reaches a watcher without any Check asking', async () => {
    const { lameduck: lifecycle, client } = await start();
    let up = true;
    lifecycle.check('database', () => failUnless(up, 'database down'), { cacheTtlMs: 0 });
    lifecycle.ready();
    const readiness = watch(client, 'test.Echo');
    await readiness.until(1);
    up = false;
    await readiness.until(2);
    up = true;
    await readiness.until(3);
    expect(readiness.statuses).toEqual(['SERVING', 'NOT_SERVING', 'SERVING']);
    readiness.call.cancel();
  });
});
