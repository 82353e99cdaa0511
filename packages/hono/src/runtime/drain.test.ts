import { LameduckConfigError } from '@lameduck/core';
import { describe, expect, it } from 'vitest';
import { createRuntimeLameduck, type DrainableServer } from './drain.js';

/** A runtime with no signals, no exit and no environment: the sequence alone. */
const runtime = { onSignal: () => () => {}, exit: () => {}, env: () => undefined };

/** A server whose requests finish when the test says so. */
function fakeServer(events: string[]) {
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const server: DrainableServer = {
    async stop() {
      events.push('stop');
      await finished;
    },
    async forceStop() {
      events.push('force');
    },
  };
  return { server, finish };
}

describe('the runtime drain sequence', () => {
  it('runs the cleanup hooks inside one budget they share, as the Node engine does (LAMEDUCK_CLEANUP_TIMEOUT_MS)', async () => {
    const env = (name: string) =>
      ({ LAMEDUCK_CLEANUP_TIMEOUT_MS: '200', LAMEDUCK_DRAIN_DELAY_MS: '0' })[name];
    const { lameduck, addServer } = createRuntimeLameduck({ logger: false }, { ...runtime, env });
    const { server, finish } = fakeServer([]);
    finish();
    addServer(server);
    const ran: string[] = [];
    for (const name of ['c', 'b', 'a']) {
      lameduck.onCleanup(name, async () => {
        ran.push(name);
        await new Promise((resolve) => setTimeout(resolve, 150));
      });
    }
    const startedAt = Date.now();
    const result = await lameduck.shutdown('test');
    expect(ran).toEqual(['a', 'b']);
    expect(result).toMatchObject({ failedHooks: 2, exitCode: 1 });
    expect(Date.now() - startedAt).toBeLessThan(1000);
  });

  it('runs readiness 503, early notice, stop, cleanup newest first, closed; a failed hook makes exit code 1', async () => {
    const events: string[] = [];
    const { lameduck, addServer } = createRuntimeLameduck({ logger: false, drainTimeoutMs: 5_000 }, runtime);
    const { server, finish } = fakeServer(events);
    addServer(server);
    lameduck.ready();
    lameduck.onDrainStart('notice', () => {
      events.push(`early notice (${lameduck.state})`);
    });
    lameduck.onCleanup('older', () => {
      events.push('cleanup older');
    });
    lameduck.onCleanup('newer', () => {
      events.push('cleanup newer');
      throw new Error('cannot close');
    });
    const shutdown = lameduck.shutdown('test');
    expect(lameduck.shutdown('again')).toBe(shutdown);
    await new Promise((resolve) => setTimeout(resolve, 50));
    events.push('requests finished');
    finish();
    const result = await shutdown;
    expect(events).toEqual([
      'early notice (draining)',
      'stop',
      'requests finished',
      'cleanup newer',
      'cleanup older',
    ]);
    expect(result).toMatchObject({ forced: false, failedHooks: 1, exitCode: 1 });
    expect(lameduck.state).toBe('closed');
    expect(() => addServer(server)).toThrow(LameduckConfigError);
  });

  it('at the drain timeout: aborts the deadline signal, forces the stop, still cleans up, exit code 1', async () => {
    const events: string[] = [];
    const { lameduck, addServer } = createRuntimeLameduck({ logger: false, drainTimeoutMs: 200 }, runtime);
    addServer(fakeServer(events).server); // its requests never finish
    lameduck.onCleanup('pool', () => {
      events.push(`cleanup (deadline aborted: ${lameduck.deadlineSignal.aborted})`);
    });
    const result = await lameduck.shutdown('test');
    expect(events).toEqual(['stop', 'force', 'cleanup (deadline aborted: true)']);
    expect(result).toMatchObject({ forced: true, failedHooks: 0, exitCode: 1 });
  });

  it('gives up on a hook at its timeout and aborts its signal', async () => {
    const { lameduck } = createRuntimeLameduck({ logger: false }, runtime);
    let hookSignal: AbortSignal | undefined;
    lameduck.onCleanup(
      'stuck',
      (signal) => {
        hookSignal = signal;
        return new Promise(() => {});
      },
      { timeoutMs: 100 },
    );
    const result = await lameduck.shutdown('test');
    expect(result).toMatchObject({ failedHooks: 1, exitCode: 1 });
    expect(hookSignal?.aborted).toBe(true);
  });
});

describe('drainSignal on Bun and Deno', () => {
  it('aborts when the drain starts, before the servers stop, and reaches handlers as c.var.drainSignal', async () => {
    const { Hono } = await import('hono');
    const events: string[] = [];
    const { lameduck, addServer } = createRuntimeLameduck({ logger: false, drainDelayMs: 0 }, runtime);
    const { server, finish } = fakeServer(events);
    addServer(server);
    const app = new Hono<import('../middleware.js').LameduckEnv>();
    app.use(lameduck.middleware());
    app.get('/signal', (context) => context.text(String(context.var.drainSignal === lameduck.drainSignal)));
    expect(await (await app.request('/signal')).text()).toBe('true');
    lameduck.drainSignal.addEventListener('abort', () => events.push(`drain signal (${lameduck.state})`));
    const result = lameduck.shutdown('test');
    await Promise.resolve();
    finish();
    await result;
    expect(events).toEqual(['drain signal (draining)', 'stop']);
  });
});
