import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { request, type SimpleResponse } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createLameduck, type KoaLameduck } from '../src/index.js';

type Middleware = Koa3.Middleware;

// Two addresses of the loopback interface: the allow-list tells them apart by the socket's address.
const INSIDER = '127.0.0.1';
const OUTSIDER = '127.0.0.2';
const DB_ERROR = 'connect ECONNREFUSED 10.1.2.3:5432';

const made: { lameduck: KoaLameduck; agents: Agent[] }[] = [];
afterEach(async () => {
  for (const { lameduck, agents } of made.splice(0)) {
    for (const agent of agents) agent.destroy();
    if (lameduck.state !== 'closed') await lameduck.shutdown('test finished');
  }
});

/** A lifecycle whose readiness check fails with a database's error text, shown to whoever asks. */
function leakyLameduck(): KoaLameduck {
  const lameduck = createLameduck({
    logger: false,
    signals: false,
    exitOnSignal: false,
    env: false,
    drainDelayMs: 0,
    exposeDetails: true,
  });
  lameduck.check('db', () => {
    throw new Error(DB_ERROR);
  });
  made.push({ lameduck, agents: [] });
  return lameduck;
}

/** The allow-list an app mounts before lameduck: only the insider's address gets through. */
function allowList(refused: string[]): Middleware {
  return (context, next) => {
    if (context.req.socket.remoteAddress === INSIDER) return next();
    refused.push(context.url);
    context.status = 403;
    context.body = 'forbidden\n';
    return Promise.resolve();
  };
}

/** How many requests the server handed to the app (Koa builds a context for each). */
function countEntries(app: Koa3): { count: number } {
  const entries = { count: 0 };
  const target = app as unknown as { createContext: (...args: unknown[]) => unknown };
  const createContext = target.createContext;
  target.createContext = function (...args) {
    entries.count += 1;
    return createContext.apply(this, args);
  };
  return entries;
}

async function start(lameduck: KoaLameduck, app: Koa3): Promise<string> {
  const server = await lameduck.listen(app, { port: 0, host: INSIDER });
  lameduck.ready();
  return `http://${INSIDER}:${(server.address() as AddressInfo).port}`;
}

/** A keep-alive client whose connections come from `address`. */
function clientFrom(lameduck: KoaLameduck, address: string): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: 4, localAddress: address });
  made.find((entry) => entry.lameduck === lameduck)?.agents.push(agent);
  return agent;
}

/** What a client can compare of two answers: all but the Date header. */
function answer({ status, headers, body }: SimpleResponse) {
  const { date: _date, ...rest } = headers;
  return { status, headers: rest, body };
}

interface Layout {
  name: string;
  /** Mounts the allow-list and lameduck's middleware. */
  mount(app: Koa3, lameduck: KoaLameduck, guard: Middleware): void;
}

/** Every way the app's order puts the allow-list before the middleware that answers at the root. */
const GUARDED: Layout[] = [
  {
    name: 'app.use(allowList), then app.use(middleware())',
    mount(app, lameduck, guard) {
      app.use(guard);
      app.use(lameduck.middleware());
    },
  },
  {
    name: 'middleware() called by a wrapper at the root (as koa-mount of a sub-app at "/" does), after the allow-list',
    mount(app, lameduck, guard) {
      const probes = lameduck.middleware();
      app.use(guard);
      app.use((context, next) => probes(context, next));
    },
  },
];

const PROBES = ['/readyz?verbose', '/livez', '/readyz', '/startupz', '/readyz/db'];

for (const [version, Koa] of [
  ['Koa 3', Koa3],
  ['Koa 2', Koa2],
] as const) {
  describe(`${version}: probes are answered where the app's own order reaches middleware()`, () => {
    for (const layout of GUARDED) {
      it(`an allow-list refuses 100 of 100 outsider probes after an insider's probe: ${layout.name}`, async () => {
        const lameduck = leakyLameduck();
        const app = new Koa();
        const refused: string[] = [];
        const guard = allowList(refused);
        layout.mount(app, lameduck, guard);
        app.use((context) => {
          if (context.path === '/') context.body = 'hello';
        });
        const base = await start(lameduck, app);
        const insider = clientFrom(lameduck, INSIDER);
        const outsider = clientFrom(lameduck, OUTSIDER);
        // The insider's probes reach the middleware and teach it every probe path.
        for (const path of PROBES) {
          const answered = await request(`${base}${path}`, { agent: insider });
          expect(answered.status, path).not.toBe(403);
        }
        expect((await request(`${base}/readyz?verbose`, { agent: insider })).body).toContain(DB_ERROR);
        const outsiders: SimpleResponse[] = [];
        for (let index = 0; index < 100; index += 1) {
          outsiders.push(await request(`${base}${PROBES[index % PROBES.length]}`, { agent: outsider }));
        }
        expect(outsiders.filter((response) => response.status === 403)).toHaveLength(100);
        expect(outsiders.filter((response) => response.body.includes('ECONNREFUSED'))).toHaveLength(0);
        expect(refused).toHaveLength(100);
      });
    }

    if (Koa === Koa3) {
      it("an allow-list that Koa 3's compose option runs before every middleware refuses 100 of 100 outsider probes", async () => {
        const lameduck = leakyLameduck();
        const refused: string[] = [];
        const guard = allowList(refused);
        type Composed = (context: Koa3.Context, next?: () => Promise<unknown>) => Promise<unknown>;
        // The app's own compose: the allow-list, then the list in order (as koa-compose runs it).
        const compose =
          (list: Middleware[]): Composed =>
          (context, next) =>
            Promise.resolve(
              guard(context, () => {
                const dispatch = (index: number): Promise<unknown> => {
                  const handler = list[index];
                  if (handler === undefined) return next === undefined ? Promise.resolve() : next();
                  return Promise.resolve(handler(context, () => dispatch(index + 1)));
                };
                return dispatch(0);
              }),
            );
        const app: Koa3 = new Koa3({ compose } as unknown as ConstructorParameters<
          typeof Koa3
        >[0]) as unknown as Koa3;
        app.use(lameduck.middleware());
        const base = await start(lameduck, app);
        const insider = clientFrom(lameduck, INSIDER);
        const outsider = clientFrom(lameduck, OUTSIDER);
        for (const path of PROBES)
          expect((await request(`${base}${path}`, { agent: insider })).status).not.toBe(403);
        const outsiders: SimpleResponse[] = [];
        for (let index = 0; index < 100; index += 1) {
          outsiders.push(await request(`${base}${PROBES[index % PROBES.length]}`, { agent: outsider }));
        }
        expect(outsiders.filter((response) => response.status === 403)).toHaveLength(100);
        expect(refused).toHaveLength(100);
      });
    }

    it('a middleware mounted after middleware() is skipped for probes, which listen() answers ahead of the app', async () => {
      const lameduck = leakyLameduck();
      const app = new Koa();
      const after: string[] = [];
      app.use(lameduck.middleware());
      app.use((context, next) => {
        after.push(context.url);
        return next();
      });
      app.use((context) => {
        if (context.path === '/') context.body = 'hello';
      });
      const entries = countEntries(app);
      const base = await start(lameduck, app);
      const outsider = clientFrom(lameduck, OUTSIDER);
      expect((await request(`${base}/livez`, { agent: outsider })).status).toBe(200);
      for (let index = 0; index < 20; index += 1) {
        expect((await request(`${base}/livez`, { agent: outsider })).status).toBe(200);
      }
      // The first probe went through the app (and taught listen() the path); the others did not.
      expect(entries.count).toBe(1);
      expect(await request(`${base}/`, { agent: outsider })).toMatchObject({ status: 200, body: 'hello' });
      expect(after).toEqual(['/']);
      expect(entries.count).toBe(2);
    });

    it('a middleware put before middleware() after listen() sends probes through the app again (checked at each answer)', async () => {
      const lameduck = leakyLameduck();
      const app = new Koa();
      app.use(lameduck.middleware());
      const entries = countEntries(app);
      const base = await start(lameduck, app);
      for (let index = 0; index < 3; index += 1) expect((await request(`${base}/livez`)).status).toBe(200);
      expect(entries.count).toBe(1);
      // koa-compose before 4.2 runs the list as it is at each request; 4.2 runs a copy made at
      // listen(). Either way the probe goes through the app, which answers as it runs.
      app.middleware.unshift((_context, next) => next());
      for (let index = 0; index < 3; index += 1) expect((await request(`${base}/livez`)).status).toBe(200);
      expect(entries.count).toBe(4);
    });

    it('a probe answered ahead of the app is the answer the app gives, every header included', async () => {
      const lameduck = leakyLameduck();
      const first = new Koa();
      const behind = new Koa();
      first.use(lameduck.middleware());
      // A pass-through middleware first: every probe takes the ordinary path through the app.
      behind.use((_context, next) => next());
      behind.use(lameduck.middleware());
      const firstEntries = countEntries(first);
      const behindEntries = countEntries(behind);
      const firstBase = await start(lameduck, first);
      const behindBase = await start(lameduck, behind);
      const probes: { path: string; options: { method?: string; headers?: Record<string, string> } }[] = [
        { path: '/readyz', options: {} },
        { path: '/readyz', options: { method: 'HEAD' } },
        { path: '/readyz?verbose', options: {} },
        { path: '/readyz?verbose', options: { headers: { accept: 'application/health+json' } } },
        { path: '/livez', options: {} },
        { path: '/livez', options: { method: 'HEAD' } },
        { path: '/startupz?verbose', options: {} },
        { path: '/readyz/db', options: {} },
        { path: '/readyz/nope', options: {} },
        { path: '/livez', options: { method: 'POST' } },
      ];
      // Once to teach listen() the paths, then each probe is compared.
      for (const probe of probes) await request(`${firstBase}${probe.path}`, probe.options);
      const taught = firstEntries.count;
      for (const probe of probes) {
        const ahead = await request(`${firstBase}${probe.path}`, probe.options);
        const through = await request(`${behindBase}${probe.path}`, probe.options);
        expect(answer(ahead), `${probe.options.method ?? 'GET'} ${probe.path}`).toEqual(answer(through));
      }
      expect(behindEntries.count).toBe(probes.length);
      // The second time, every probe (a refused POST included) was answered ahead of the app.
      expect(firstEntries.count - taught).toBe(0);
    });

    it('leaves probe paths to the app when the middleware answers them under a mount or after its own route', async () => {
      const app = new Koa();
      const lameduck = leakyLameduck();
      const probes = lameduck.middleware();
      app.use((context, next) => {
        if (context.path === '/readyz') {
          context.body = 'mine';
          return Promise.resolve();
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
