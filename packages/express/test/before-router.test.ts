import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express5 from 'express';
import express4 from 'express4';
import { request, type SimpleResponse } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { createLameduck, type ExpressLameduck } from '../src/index.js';

type Express = ReturnType<typeof express5>;
type Handler = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

// Two addresses of the loopback interface: the allow-list tells them apart by the socket's address.
const INSIDER = '127.0.0.1';
const OUTSIDER = '127.0.0.2';
const DB_ERROR = 'connect ECONNREFUSED 10.1.2.3:5432';

const made: { lameduck: ExpressLameduck; agents: Agent[] }[] = [];
afterEach(async () => {
  for (const { lameduck, agents } of made.splice(0)) {
    for (const agent of agents) agent.destroy();
    if (lameduck.state !== 'closed') await lameduck.shutdown('test finished');
  }
});

/** A lifecycle whose readiness check fails with a database's error text, shown to whoever asks. */
function leakyLameduck(): ExpressLameduck {
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
function allowList(refused: string[]): Handler {
  return (incoming, response, next) => {
    if (incoming.socket.remoteAddress === INSIDER) return next();
    refused.push(incoming.url ?? '');
    response.statusCode = 403;
    response.end('forbidden\n');
  };
}

/** How many requests the server handed to the app (Express's app calls `app.handle` for each). */
function countEntries(app: Express): { count: number } {
  const entries = { count: 0 };
  const handle = (app as unknown as { handle: (...args: unknown[]) => void }).handle;
  (app as unknown as { handle: (...args: unknown[]) => void }).handle = function (...args) {
    entries.count += 1;
    return handle.apply(this, args);
  };
  return entries;
}

async function start(lameduck: ExpressLameduck, app: Express): Promise<string> {
  const server = await lameduck.listen(app, { port: 0, host: INSIDER });
  lameduck.ready();
  return `http://${INSIDER}:${(server.address() as AddressInfo).port}`;
}

/** A keep-alive client whose connections come from `address`. */
function clientFrom(lameduck: ExpressLameduck, address: string): Agent {
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
  /** Mounts the allow-list and lameduck's middleware; `later` runs after listen(). */
  mount(express: typeof express5, app: Express, lameduck: ExpressLameduck, guard: Handler): void;
  later?(app: Express, lameduck: ExpressLameduck, guard: Handler): void;
}

/** Every way the app's order puts the allow-list before the middleware that answers at the root. */
const GUARDED: Layout[] = [
  {
    name: 'app.use(allowList), then app.use(middleware())',
    mount(_express, app, lameduck, guard) {
      app.use(guard);
      app.use(lameduck.middleware());
    },
  },
  {
    name: 'app.all(every path, allowList), then app.use(middleware())',
    mount(express, app, lameduck, guard) {
      // Express 4's path syntax and Express 5's (path-to-regexp 8) for "every path".
      app.all(express === (express4 as unknown) ? '*' : '/{*path}', guard);
      app.use(lameduck.middleware());
    },
  },
  {
    name: 'the allow-list in a Router mounted first',
    mount(express, app, lameduck, guard) {
      const router = express.Router();
      router.use(guard);
      app.use(router);
      app.use(lameduck.middleware());
    },
  },
  {
    name: 'middleware() in a sub-app mounted at the root after the allow-list',
    mount(express, app, lameduck, guard) {
      const sub = express();
      sub.use(lameduck.middleware());
      app.use(guard);
      app.use(sub);
    },
  },
  {
    name: 'middleware() twice: under /internal first, at the root after the allow-list',
    mount(_express, app, lameduck, guard) {
      app.use('/internal', lameduck.middleware());
      app.use(guard);
      app.use(lameduck.middleware());
    },
  },
  {
    name: 'the allow-list moved in front of middleware() after listen()',
    mount(_express, app, lameduck, guard) {
      app.use(lameduck.middleware());
      app.use(guard);
    },
    later(app, lameduck, guard) {
      const stack = routerStack(app) as { handle: unknown }[];
      const [guardLayer] = stack.splice(
        stack.findIndex((layer) => layer.handle === guard),
        1,
      );
      stack.splice(
        stack.findIndex((layer) => layer.handle === lameduck.middleware()),
        0,
        guardLayer as { handle: unknown },
      );
    },
  },
];

function routerStack(app: Express): unknown[] {
  const internals = app as unknown as { _router?: { stack: unknown[] }; router?: { stack: unknown[] } };
  return (
    typeof (app as unknown as { lazyrouter?: unknown }).lazyrouter === 'function'
      ? internals._router?.stack
      : internals.router?.stack
  ) as unknown[];
}

const PROBES = ['/readyz?verbose', '/livez', '/readyz', '/startupz', '/readyz/db'];

for (const [version, express] of [
  ['Express 5', express5],
  ['Express 4', express4],
] as const) {
  describe(`${version}: probes are answered where the app's own order reaches middleware()`, () => {
    for (const layout of GUARDED) {
      it(`an allow-list refuses 100 of 100 outsider probes after an insider's probe: ${layout.name}`, async () => {
        const lameduck = leakyLameduck();
        const app = express();
        const refused: string[] = [];
        const guard = allowList(refused);
        layout.mount(express, app, lameduck, guard);
        app.get('/', (_request, response) => {
          response.send('hello');
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
        layout.later?.(app, lameduck, guard);
        const outsiders: SimpleResponse[] = [];
        for (let index = 0; index < 100; index += 1) {
          outsiders.push(await request(`${base}${PROBES[index % PROBES.length]}`, { agent: outsider }));
        }
        expect(outsiders.filter((response) => response.status === 403)).toHaveLength(100);
        expect(outsiders.filter((response) => response.body.includes('ECONNREFUSED'))).toHaveLength(0);
        expect(refused).toHaveLength(100);
      });
    }

    it('a middleware mounted after middleware() is skipped for probes, which listen() answers ahead of the app', async () => {
      const lameduck = leakyLameduck();
      const app = express();
      const after: string[] = [];
      app.use(lameduck.middleware());
      app.use((incoming: IncomingMessage, _response: ServerResponse, next: () => void) => {
        after.push(incoming.url ?? '');
        next();
      });
      app.get('/', (_request, response) => {
        response.send('hello');
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

    it('an error handler mounted before middleware() does not take the fast path away (it never runs on the way in)', async () => {
      const lameduck = leakyLameduck();
      const app = express();
      app.use((_error: unknown, _request: unknown, response: ServerResponse, _next: unknown) => {
        response.statusCode = 500;
        response.end('error\n');
      });
      app.use('/', lameduck.middleware());
      const entries = countEntries(app);
      const base = await start(lameduck, app);
      for (let index = 0; index < 5; index += 1) {
        expect(await request(`${base}/livez`)).toMatchObject({ status: 200, body: 'ok\n' });
      }
      expect(entries.count).toBe(1);
    });

    it('only the root, first-in-stack middleware answers ahead: a sub-app or a router first goes through the app', async () => {
      const lameduck = leakyLameduck();
      const app = express();
      const sub = express();
      sub.use(lameduck.middleware());
      const router = express.Router();
      router.use(lameduck.middleware());
      app.use(sub);
      app.use(router);
      const entries = countEntries(app);
      const base = await start(lameduck, app);
      for (let index = 0; index < 5; index += 1) {
        expect(await request(`${base}/livez`)).toMatchObject({ status: 200, body: 'ok\n' });
      }
      expect(entries.count).toBe(5);
    });

    for (const poweredBy of [true, false]) {
      it(`a probe answered ahead of the app is the answer the app gives, every header included (x-powered-by ${poweredBy ? 'on' : 'off'})`, async () => {
        const lameduck = leakyLameduck();
        const first = express();
        const behind = express();
        for (const app of [first, behind]) app.set('x-powered-by', poweredBy);
        first.use(lameduck.middleware());
        // A pass-through middleware first: every probe takes the ordinary path through the app.
        behind.use((_request: unknown, _response: unknown, next: () => void) => next());
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
          if (poweredBy) expect(ahead.headers['x-powered-by']).toBe('Express');
          else expect(ahead.headers['x-powered-by']).toBeUndefined();
        }
        expect(behindEntries.count).toBe(probes.length);
        // The second time, every probe (a refused POST included) was answered ahead of the app.
        expect(firstEntries.count - taught).toBe(0);
      });
    }

    it('leaves a probe path to the app while middleware() has not answered it at the root', async () => {
      const lameduck = leakyLameduck();
      const app = express();
      // The app's own /readyz, before the middleware: it stays the app's.
      app.get('/readyz', (_request, response) => {
        response.send('mine');
      });
      app.use(lameduck.middleware());
      app.use('/internal', lameduck.middleware());
      const base = await start(lameduck, app);
      for (let index = 0; index < 3; index += 1) {
        expect(await request(`${base}/livez`)).toMatchObject({ status: 200, body: 'ok\n' });
        expect(await request(`${base}/readyz`)).toMatchObject({ status: 200, body: 'mine' });
        expect(await request(`${base}/internal/startupz`)).toMatchObject({ status: 200, body: 'ok\n' });
      }
    });

    it('answers nothing itself without middleware()', async () => {
      const lameduck = leakyLameduck();
      const app = express();
      const base = await start(lameduck, app);
      for (let index = 0; index < 3; index += 1) expect((await request(`${base}/readyz`)).status).toBe(404);
    });
  });
}
