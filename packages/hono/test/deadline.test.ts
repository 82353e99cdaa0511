import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Hono } from 'hono';
import { request } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createLameduck, type HonoLameduck, type LameduckEnv } from '../src/index.js';

describe('the drain deadline signal', () => {
  let lameduck: HonoLameduck | undefined;
  afterEach(async () => {
    if (lameduck && lameduck.state !== 'closed') await lameduck.shutdown('test finished');
  });

  it('aborts inside a handler still running at the drain deadline', async () => {
    lameduck = createLameduck({ logger: false, signals: false, exitOnSignal: false, drainTimeoutMs: 300 });
    const app = new Hono<LameduckEnv>();
    app.use(lameduck.middleware());
    let stoppedEarly = false;
    let handlerFinished: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      handlerFinished = resolve;
    });
    app.get('/long', async (context) => {
      const signal = context.var.deadlineSignal;
      // Long work that checks the signal between steps, as a batch job or a stream would.
      for (let step = 0; step < 200 && !signal.aborted; step += 1) await sleep(50);
      stoppedEarly = signal.aborted;
      handlerFinished();
      return context.text('partial');
    });
    const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const long = request(`${url}/long`).catch(() => undefined);
    await sleep(100);
    const startedAt = Date.now();
    const result = await lameduck.shutdown('test');
    await Promise.all([long, finished]);
    expect(stoppedEarly).toBe(true);
    expect(result.forced).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });
});
