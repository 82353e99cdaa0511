import type { AddressInfo } from 'node:net';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { lifecyclesForTests, request } from 'lameduck-test-utils';
import { describe, expect, it } from 'vitest';
import { createLameduck, type KoaLameduck } from '../src/index.js';

const lameduckForTest = lifecyclesForTests(createLameduck);

async function start(lameduck: KoaLameduck, app: Koa3): Promise<string> {
  const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1' });
  lameduck.ready();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Counts the requests that reach the app (Koa makes a context for each). */
function countAppRequests(app: Koa3): { count: number } {
  const seen = { count: 0 };
  const createContext = app.createContext.bind(app);
  app.createContext = ((...args: Parameters<Koa3['createContext']>) => {
    seen.count += 1;
    return createContext(...args);
  }) as Koa3['createContext'];
  return seen;
}

/** An allow-list as users mount one before lameduck: only insiders get through. */
function allowList(seen: string[]): Koa3.Middleware {
  return (context, next) => {
    seen.push(context.url);
    if (context.get('x-insider') === 'yes') return next();
    context.status = 403;
    context.body = 'forbidden';
    return undefined;
  };
}

const insider = { headers: { 'x-insider': 'yes' } };
const failingCheck = () => {
  throw new Error('connect ECONNREFUSED 10.1.2.3:5432');
};

for (const [framework, Koa] of [
  ['koa 3', Koa3],
  ['koa 2', Koa2 as unknown as typeof Koa3],
] as const) {
  describe(`${framework}: probes go through what the app mounts before the middleware`, () => {
    it('an allow-list before lameduck refuses 100 of 100 outsider probes after an insider probe succeeded', async () => {
      const lameduck = lameduckForTest({ exposeDetails: true });
      lameduck.check('db', failingCheck);
      const app = new Koa();
      const seen: string[] = [];
      app.use(allowList(seen));
      app.use(lameduck.middleware());
      const base = await start(lameduck, app);
      expect(await request(`${base}/livez`, insider)).toMatchObject({ status: 200, body: 'ok\n' });
      expect((await request(`${base}/readyz?verbose`, insider)).body).toContain('ECONNREFUSED');
      const targets = ['/readyz?verbose', '/livez', '/readyz', '/startupz', '/livez?verbose'];
      const statuses: number[] = [];
      const bodies = new Set<string>();
      for (let index = 0; index < 100; index += 1) {
        const answer = await request(`${base}${targets[index % targets.length]}`);
        statuses.push(answer.status);
        bodies.add(answer.body);
      }
      expect(statuses.filter((status) => status === 403)).toHaveLength(100);
      expect([...bodies]).toEqual(['forbidden']);
      expect(seen).toHaveLength(102);
    });

    it('checks the order at each probe: once app.middleware no longer starts with lameduck, probes go through the app', async () => {
      const lameduck = lameduckForTest();
      const app = new Koa();
      const appRequests = countAppRequests(app);
      app.use(lameduck.middleware());
      const base = await start(lameduck, app);
      expect((await request(`${base}/readyz`)).status).toBe(200);
      expect(appRequests.count).toBe(0);
      // Koa composed its middleware in listen(), so the app still reaches lameduck first; the
      // server cannot know that, and hands every probe to the app.
      app.middleware.unshift((_context, next) => next());
      for (let index = 0; index < 20; index += 1) expect((await request(`${base}/readyz`)).status).toBe(200);
      expect(appRequests.count).toBe(20);
    });

    it('a probe skips what is mounted after the middleware, and skips the app when the middleware is first', async () => {
      const lameduck = lameduckForTest();
      const app = new Koa();
      const appRequests = countAppRequests(app);
      const after: string[] = [];
      app.use(lameduck.middleware());
      app.use((context, next) => {
        after.push(context.url);
        if (context.path === '/') context.body = 'hello';
        return next();
      });
      const base = await start(lameduck, app);
      for (let index = 0; index < 10; index += 1) {
        expect(await request(`${base}/readyz`)).toMatchObject({ status: 200, body: 'ok\n' });
        expect(await request(`${base}/livez?verbose`)).toMatchObject({ status: 200 });
      }
      expect(await request(`${base}/`)).toMatchObject({ status: 200, body: 'hello' });
      expect(after).toEqual(['/']);
      // Answered in front of the app: only the one app request reached Koa.
      expect(appRequests.count).toBe(1);
    });

    it('a probe answered in front of the app is the one the middleware gives through the app', async () => {
      async function answers(layout: 'lameduck first' | 'behind a pass-through') {
        const lameduck = lameduckForTest();
        lameduck.check('db', () => {});
        const app = new Koa();
        const appRequests = countAppRequests(app);
        if (layout === 'behind a pass-through') app.use((_context, next) => next());
        app.use(lameduck.middleware());
        const base = await start(lameduck, app);
        const got = [];
        for (const [target, options] of [
          ['/readyz', {}],
          ['/readyz?verbose', {}],
          ['/livez', { headers: { accept: 'application/health+json' } }],
          ['/startupz', { method: 'HEAD' }],
          ['/readyz/db', {}],
          ['/readyz/nope', {}],
          ['/readyz', { method: 'POST' }],
          ['/readyzz', {}],
        ] as const) {
          const { status, headers, body } = await request(`${base}${target}`, options);
          const { date: _date, ...rest } = headers;
          got.push({
            target,
            status,
            headers: rest,
            body: body.replace(/"(time|timestamp|durationMs)":[^,}]+/g, ''),
          });
        }
        return { got, appRequests: appRequests.count };
      }
      const fast = await answers('lameduck first');
      const ordinary = await answers('behind a pass-through');
      expect(fast.got).toEqual(ordinary.got);
      // /readyzz is not a probe: it reaches the app either way (Koa's 404).
      expect(fast.appRequests).toBe(1);
      expect(ordinary.appRequests).toBe(8);
    });

    it('leaves probe paths to the app when the middleware answers them under a mount or after its own route', async () => {
      const app = new Koa();
      const lameduck = lameduckForTest();
      const probes = lameduck.middleware();
      app.use((context, next) => {
        if (context.path === '/readyz') {
          context.body = 'mine';
          return undefined;
        }
        return next();
      });
      // As koa-mount does: strip the prefix, then call the mounted middleware.
      app.use((context, next) => {
        if (!context.path.startsWith('/internal/')) return next();
        context.path = context.path.slice('/internal'.length);
        return probes(context, next);
      });
      const base = await start(lameduck, app);
      for (let index = 0; index < 3; index += 1) {
        expect(await request(`${base}/internal/livez`)).toMatchObject({ status: 200, body: 'ok\n' });
        expect(await request(`${base}/readyz`)).toMatchObject({ status: 200, body: 'mine' });
        expect((await request(`${base}/livez`)).status).toBe(404);
      }
    });
  });
}
