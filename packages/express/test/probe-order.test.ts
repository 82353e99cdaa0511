import type { AddressInfo } from 'node:net';
import express5 from 'express';
import express4 from 'express4';
import { lifecyclesForTests, request } from 'lameduck-test-utils';
import { describe, expect, it } from 'vitest';
import { createLameduck, type ExpressLameduck } from '../src/index.js';

const lameduckForTest = lifecyclesForTests(createLameduck);

type App = ReturnType<typeof express5>;

async function start(lameduck: ExpressLameduck, app: App): Promise<string> {
  const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1' });
  lameduck.ready();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Counts the requests that reach the app (Express's handler calls `app.handle` for each). */
function countAppRequests(app: App): { count: number } {
  const seen = { count: 0 };
  // `handle` is Express's own (untyped): the app function calls it for every request.
  const internal = app as unknown as { handle: (...args: unknown[]) => unknown };
  const handle = internal.handle.bind(app);
  internal.handle = (...args) => {
    seen.count += 1;
    return handle(...args);
  };
  return seen;
}

/** An allow-list as users mount one before lameduck: only insiders get through. */
function allowList(seen: string[]) {
  return (request: express5.Request, response: express5.Response, next: express5.NextFunction) => {
    seen.push(request.url);
    if (request.headers['x-insider'] === 'yes') return next();
    response.status(403).send('forbidden');
  };
}

const insider = { headers: { 'x-insider': 'yes' } };
const failingCheck = () => {
  throw new Error('connect ECONNREFUSED 10.1.2.3:5432');
};

for (const [framework, express] of [
  ['express 5', express5],
  ['express 4', express4 as unknown as typeof express5],
] as const) {
  describe(`${framework}: probes go through what the app mounts before the middleware`, () => {
    it('an allow-list before lameduck refuses 100 of 100 outsider probes after an insider probe succeeded', async () => {
      const lameduck = lameduckForTest({ exposeDetails: true });
      lameduck.check('db', failingCheck);
      const app = express();
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

    it('checks the order at each probe: mounting lameduck after listen() behind an allow-list keeps it behind', async () => {
      const lameduck = lameduckForTest();
      const app = express();
      const base = await start(lameduck, app);
      const seen: string[] = [];
      app.use(allowList(seen));
      app.use(lameduck.middleware());
      expect((await request(`${base}/readyz`, insider)).status).toBe(200);
      for (let index = 0; index < 20; index += 1) expect((await request(`${base}/readyz`)).status).toBe(403);
      expect(seen).toHaveLength(21);
    });

    it('a probe skips what is mounted after the middleware, and skips the app when the middleware is first', async () => {
      const lameduck = lameduckForTest();
      const app = express();
      const appRequests = countAppRequests(app);
      const after: string[] = [];
      app.use(lameduck.middleware());
      app.use((incoming, _response, next) => {
        after.push(incoming.url);
        next();
      });
      app.get('/', (_request, response) => {
        response.send('hello');
      });
      const base = await start(lameduck, app);
      for (let index = 0; index < 10; index += 1) {
        expect(await request(`${base}/readyz`)).toMatchObject({ status: 200, body: 'ok\n' });
        expect(await request(`${base}/livez?verbose`)).toMatchObject({ status: 200 });
      }
      expect(await request(`${base}/`)).toMatchObject({ status: 200, body: 'hello' });
      expect(after).toEqual(['/']);
      // Answered in front of the app: only the one app request reached Express.
      expect(appRequests.count).toBe(1);
    });

    it('a probe answered in front of the app is the one the middleware gives through the app', async () => {
      async function answers(layout: 'lameduck first' | 'behind a pass-through', poweredBy: boolean) {
        const lameduck = lameduckForTest();
        lameduck.check('db', () => {});
        const app = express();
        if (!poweredBy) app.disable('x-powered-by');
        const appRequests = countAppRequests(app);
        if (layout === 'behind a pass-through') app.use((_request, _response, next) => next());
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
      for (const poweredBy of [true, false]) {
        const fast = await answers('lameduck first', poweredBy);
        const ordinary = await answers('behind a pass-through', poweredBy);
        expect(fast.got).toEqual(ordinary.got);
        expect(fast.got[0]?.headers['x-powered-by']).toBe(poweredBy ? 'Express' : undefined);
        // /readyzz is not a probe: it reaches the app either way (Express's 404).
        expect(fast.appRequests).toBe(1);
        expect(ordinary.appRequests).toBe(8);
      }
    });

    it('leaves probe paths to the app under a mount path, in a sub-app, or after its own route', async () => {
      const lameduck = lameduckForTest();
      const app = express();
      const appRequests = countAppRequests(app);
      app.get('/readyz', (_request, response) => {
        response.send('mine');
      });
      app.use(lameduck.middleware());
      const sub = express();
      sub.use(lameduck.middleware());
      app.use('/internal', sub);
      const base = await start(lameduck, app);
      for (let index = 0; index < 3; index += 1) {
        expect(await request(`${base}/livez`)).toMatchObject({ status: 200, body: 'ok\n' });
        expect(await request(`${base}/readyz`)).toMatchObject({ status: 200, body: 'mine' });
        expect(await request(`${base}/internal/startupz`)).toMatchObject({ status: 200, body: 'ok\n' });
      }
      expect(appRequests.count).toBe(9);
    });

    it('answers nothing itself without middleware()', async () => {
      const lameduck = lameduckForTest();
      const app = express();
      const base = await start(lameduck, app);
      for (let index = 0; index < 3; index += 1) expect((await request(`${base}/readyz`)).status).toBe(404);
    });
  });
}
