import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { NestLameduck } from '../src/index.js';
import { createLameduck } from '../src/index.js';
import { DenyAll, PLATFORMS, startNestApp } from './nest-app.js';

const QUIET = { logger: false, signals: false, exitOnSignal: false } as const;

describe.each(PLATFORMS)('nestjs on %s', (platform) => {
  let lameduck: NestLameduck | undefined;
  afterEach(async () => {
    if (lameduck && lameduck.state !== 'closed') await lameduck.shutdown('test finished');
    lameduck = undefined;
  });

  it('answers probes without going through global guards, interceptors or the global prefix', async () => {
    let intercepted = 0;
    const started = await startNestApp(
      platform,
      { ...QUIET, drainDelayMs: 0 },
      {
        configure(app) {
          app.setGlobalPrefix('api');
          app.useGlobalGuards(new DenyAll());
          app.useGlobalInterceptors({
            intercept(_context, next) {
              intercepted += 1;
              return next.handle();
            },
          });
        },
      },
    );
    lameduck = started.lameduck;
    lameduck.ready();
    expect((await request(`${started.url}/api`)).status).toBe(403);
    expect(await request(`${started.url}/readyz`)).toMatchObject({ status: 200, body: 'ok\n' });
    expect((await request(`${started.url}/livez`)).status).toBe(200);
    expect(intercepted).toBe(0);
  });

  it("maps Nest's shutdown hooks after lameduck's cleanup hooks, after the last response", async () => {
    const started = await startNestApp(platform, { ...QUIET, drainDelayMs: 0 }, { withPool: true });
    lameduck = started.lameduck;
    const events = started.pool!.events;
    lameduck.ready();
    const slow = request(`${started.url}/slow?ms=600`).then((response) => {
      events.push('response');
      return response;
    });
    await sleep(100);
    const result = await lameduck.shutdown('test');
    expect(await slow).toMatchObject({ status: 200, body: 'slow' });
    expect(result).toMatchObject({ forced: false, exitCode: 0 });
    expect(events).toEqual([
      'response',
      'lameduck cleanup hook',
      'onModuleDestroy',
      'beforeApplicationShutdown',
      'onApplicationShutdown',
    ]);
  });

  it('refuses enableShutdownHooks(): one signal handler, not two', async () => {
    await expect(
      startNestApp(platform, QUIET, { configure: (app) => app.enableShutdownHooks() }),
    ).rejects.toThrow(
      /^app.enableShutdownHooks\(\) and lameduck would both handle SIGTERM: remove enableShutdownHooks\(\)/,
    );
  });

  it('refuses an app that is already initialised, in one line', async () => {
    const own = createLameduck(QUIET);
    const started = await startNestApp(platform, { ...QUIET, drainDelayMs: 0 });
    lameduck = started.lameduck;
    await expect(own.listen(started.app, { port: 0 })).rejects.toThrow(
      /^lameduck.listen\(app\) must come before app.init\(\)/,
    );
  });
});
