/**
 * A server child: one framework in one variant, on 127.0.0.1 and a free port. It runs in its own
 * process so that the load generator in the parent never shares its event loop.
 *
 * Every variant answers the same routes: `GET /` → "hello", `GET /slow?ms=N` → "slow" after N ms
 * (and tells the parent when it started). Probe variants also answer a readiness probe whose
 * check takes `checkMs` and counts its runs. Each variant imports only what it uses, so a
 * bare server loads no library and its heap holds nothing of the others.
 */
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Session } from 'node:inspector';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type { createNodeLameduck, NodeLameduck } from '@lameduck/core/node';
import type { LameduckEnv } from '@lameduck/hono';
import type { Express } from 'express';
import type { Hono } from 'hono';
import type Koa from 'koa';
import {
  type ChildStats,
  DEFAULT_DRAIN_TIMEOUT_MS,
  type ParentMessage,
  PROBE_PATH,
  type ServerSpec,
} from './spec.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as ServerSpec;
const drainTimeoutMs = spec.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
const HOST = '127.0.0.1';
let checkRuns = 0;
let lameduck: NodeLameduck | undefined;

const send = (message: unknown) => process.send?.(message);

async function check(): Promise<void> {
  checkRuns += 1;
  await sleep(spec.checkMs ?? 0);
}

function slowMs(url: string | undefined): number {
  const match = /[?&]ms=(\d+)/.exec(url ?? '');
  return match ? Number(match[1]) : 0;
}

function startSlow(url: string | undefined): Promise<void> {
  send({ type: 'slow-started' });
  return sleep(slowMs(url));
}

/** The plain node:http handler every node variant shares. */
function nodeHandler(request: IncomingMessage, response: ServerResponse): void {
  if (request.url?.startsWith('/slow')) {
    void startSlow(request.url).then(() => response.end('slow'));
    return;
  }
  response.setHeader('Content-Type', 'text/plain');
  response.end('hello');
}

function expressRoutes(app: Express): Express {
  app.get('/', (_request, response) => {
    response.type('text/plain').send('hello');
  });
  app.get('/slow', (request, response) => {
    void startSlow(request.url).then(() => response.type('text/plain').send('slow'));
  });
  return app;
}

function koaRoutes(app: Koa): Koa {
  app.use(async (context) => {
    if (context.path === '/slow') {
      await startSlow(context.url);
      context.body = 'slow';
      return;
    }
    if (context.path === '/') context.body = 'hello';
  });
  return app;
}

function honoRoutes(app: Hono<LameduckEnv>): Hono<LameduckEnv> {
  app.get('/', (context) => context.text('hello'));
  app.get('/slow', async (context) => {
    await startSlow(context.req.url);
    return context.text('slow');
  });
  return app;
}

/** The addresses an allow-list lets through (the load generator's, on loopback). */
const ALLOWED = new Set([HOST, '::ffff:127.0.0.1']);

function allowed(request: IncomingMessage): boolean {
  return ALLOWED.has(request.socket.remoteAddress ?? '');
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve(server));
  });
}

function newLameduck(create: typeof createNodeLameduck): NodeLameduck {
  const created = create({
    logger: false,
    drainDelayMs: 0,
    drainTimeoutMs,
    ...(spec.idleGraceMs === undefined ? {} : { idleGraceMs: spec.idleGraceMs }),
    ...(spec.keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeoutMs: spec.keepAliveTimeoutMs }),
  });
  if (spec.checkMs !== undefined) created.check('slow-dependency', check);
  lameduck = created;
  return created;
}

/** core's Node entry: the workspace's, or another build of it (`coreDir`, a before/after comparison). */
function importCoreNode(): Promise<typeof import('@lameduck/core/node')> {
  if (spec.coreDir === undefined) return import('@lameduck/core/node');
  return import(pathToFileURL(join(spec.coreDir, 'node.js')).href);
}

/** `respondToNode` of a core build, or `handleProbe` of a build from before the adapter kit (a baseline). */
function probeAnswerer(
  coreNode: Record<string, unknown>,
  ld: NodeLameduck,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  const respondToNode = coreNode.respondToNode as
    | ((lifecycle: unknown, request: IncomingMessage, response: ServerResponse) => boolean)
    | undefined;
  if (respondToNode !== undefined) return (request, response) => respondToNode(ld, request, response);
  const legacy = ld as unknown as {
    handleProbe(request: IncomingMessage, response: ServerResponse): boolean;
  };
  return (request, response) => legacy.handleProbe(request, response);
}

/** Naive shutdown, as most services write it: stop accepting, exit once `close` calls back. */
function closeOnSigterm(server: Server): void {
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

interface Started {
  server: Server;
  probePort?: number;
  probePath?: string;
}

async function start(): Promise<Started> {
  const { framework, variant } = spec;
  const key = `${framework}/${variant}`;
  switch (key) {
    case 'node/bare':
      return { server: await listen(createServer(nodeHandler)) };
    case 'node/naive': {
      const server = await listen(createServer(nodeHandler));
      closeOnSigterm(server);
      return { server };
    }
    case 'node/close-idle': {
      const server = createServer(nodeHandler);
      if (spec.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = spec.keepAliveTimeoutMs;
      await listen(server);
      // Node 20-24's server.close() leaves idle keep-alive sockets open until their timeout, and
      // a socket that goes idle later (after the in-flight answer) too: close idle ones until done.
      process.once('SIGTERM', () => {
        server.close(() => process.exit(0));
        server.closeIdleConnections();
        setInterval(() => server.closeIdleConnections(), 20);
      });
      return { server };
    }
    case 'node/lameduck':
    case 'node/lameduck-baseline': {
      const coreNode = await importCoreNode();
      const ld = newLameduck(coreNode.createNodeLameduck);
      const answer = probeAnswerer(coreNode, ld);
      const server = createServer((request, response) => {
        if (!answer(request, response)) nodeHandler(request, response);
      });
      ld.attach(server);
      await listen(server);
      ld.ready();
      return { server };
    }
    case 'node/lameduck-attach': {
      const { createNodeLameduck } = await import('@lameduck/core/node');
      const server = newLameduck(createNodeLameduck).attach(createServer(nodeHandler));
      await listen(server);
      return { server };
    }
    case 'node/lameduck-probe': {
      const { createNodeLameduck, respondToNode } = await import('@lameduck/core/node');
      const ld = newLameduck(createNodeLameduck);
      const server = createServer((request, response) => {
        if (!respondToNode(ld, request, response)) nodeHandler(request, response);
      });
      await listen(server);
      return { server };
    }
    case 'node/http-terminator': {
      const { createHttpTerminator } = await import('http-terminator');
      const server = await listen(createServer(nodeHandler));
      const terminator = createHttpTerminator({ server, gracefulTerminationTimeout: drainTimeoutMs });
      process.once('SIGTERM', () => void terminator.terminate().then(() => process.exit(0)));
      return { server };
    }
    case 'node/lightship': {
      // lightship owns the signal and the probe port; http-terminator drains the app's server.
      const { createHttpTerminator } = await import('http-terminator');
      const { createLightship } = await import('lightship');
      const server = await listen(createServer(nodeHandler));
      const terminator = createHttpTerminator({ server, gracefulTerminationTimeout: drainTimeoutMs });
      const lightship = await createLightship({
        detectKubernetes: false,
        port: 0,
        shutdownDelay: 0,
        gracefulShutdownTimeout: drainTimeoutMs,
        shutdownHandlerTimeout: drainTimeoutMs,
        signals: ['SIGTERM'],
      });
      lightship.registerShutdownHandler(() => terminator.terminate());
      if (spec.checkMs !== undefined) {
        // lightship never runs a check itself: the app polls its dependency and pushes the state.
        const poll = async () => {
          try {
            await check();
            lightship.signalReady();
          } catch {
            lightship.signalNotReady();
          }
        };
        await poll();
        setInterval(poll, 1000).unref();
      } else {
        lightship.signalReady();
      }
      return { server, probePort: (lightship.server.address() as AddressInfo).port, probePath: '/ready' };
    }
    case 'express/bare': {
      const { default: express } = await import('express');
      return { server: await listen(createServer(expressRoutes(express()))) };
    }
    case 'express/naive': {
      const { default: express } = await import('express');
      const server = await listen(createServer(expressRoutes(express())));
      closeOnSigterm(server);
      return { server };
    }
    case 'express/lameduck': {
      const { default: express } = await import('express');
      const { createLameduck } = await import('@lameduck/express');
      const ld = newLameduck(createLameduck) as ReturnType<typeof createLameduck>;
      const app = express();
      app.use(ld.middleware());
      const server = await ld.listen(expressRoutes(app), { port: 0, host: HOST });
      ld.ready();
      return { server };
    }
    case 'express/lameduck-router': {
      // What listen() did before it answered probes ahead of the router: every probe walks
      // Express's router to reach the middleware.
      const { default: express } = await import('express');
      const { createLameduck } = await import('@lameduck/express');
      const ld = newLameduck(createLameduck) as ReturnType<typeof createLameduck>;
      const app = express();
      app.use(ld.middleware());
      const server = ld.attach(createServer(expressRoutes(app)));
      await listen(server);
      ld.ready();
      return { server };
    }
    case 'express/lameduck-allowlist': {
      // An allow-list mounted before lameduck's middleware: listen() answers no probe ahead of
      // the app, so every probe passes the allow-list and Express's router first.
      const { default: express } = await import('express');
      const { createLameduck } = await import('@lameduck/express');
      const ld = newLameduck(createLameduck) as ReturnType<typeof createLameduck>;
      const app = express();
      app.use((request, response, next) => {
        if (allowed(request)) return next();
        response.status(403).end();
      });
      app.use(ld.middleware());
      const server = await ld.listen(expressRoutes(app), { port: 0, host: HOST });
      ld.ready();
      return { server };
    }
    case 'express/noop-middleware': {
      const { default: express } = await import('express');
      const app = express();
      app.use((_request, _response, next) => next());
      return { server: await listen(createServer(expressRoutes(app))) };
    }
    case 'express/terminus': {
      const { default: express } = await import('express');
      const { createTerminus } = await import('@godaddy/terminus');
      const server = await listen(createServer(expressRoutes(express())));
      // Terminus runs the health check on every probe request; it has no cache or single-flight.
      createTerminus(server, {
        signal: 'SIGTERM',
        timeout: drainTimeoutMs,
        useExit0: true,
        healthChecks: { [PROBE_PATH]: check },
      });
      return { server };
    }
    case 'koa/bare': {
      const { default: Koa } = await import('koa');
      return { server: await listen(createServer(koaRoutes(new Koa()).callback())) };
    }
    case 'koa/noop-middleware': {
      const { default: Koa } = await import('koa');
      const app = new Koa();
      app.use((_context, next) => next());
      return { server: await listen(createServer(koaRoutes(app).callback())) };
    }
    case 'koa/lameduck': {
      const { default: Koa } = await import('koa');
      const { createLameduck } = await import('@lameduck/koa');
      const ld = newLameduck(createLameduck) as ReturnType<typeof createLameduck>;
      const app = new Koa();
      app.use(ld.middleware());
      const server = await ld.listen(koaRoutes(app), { port: 0, host: HOST });
      ld.ready();
      return { server };
    }
    case 'koa/lameduck-router': {
      // The middleware on a server listen() did not start: every probe goes through Koa's
      // context and middleware, as before listen() answered probes ahead of the app.
      const { default: Koa } = await import('koa');
      const { createLameduck } = await import('@lameduck/koa');
      const ld = newLameduck(createLameduck) as ReturnType<typeof createLameduck>;
      const app = new Koa();
      app.use(ld.middleware());
      const server = ld.attach(createServer(koaRoutes(app).callback()));
      await listen(server);
      ld.ready();
      return { server };
    }
    case 'koa/lameduck-allowlist': {
      // An allow-list before lameduck's middleware: every probe goes through Koa's context and
      // the allow-list, as the app's order says.
      const { default: Koa } = await import('koa');
      const { createLameduck } = await import('@lameduck/koa');
      const ld = newLameduck(createLameduck) as ReturnType<typeof createLameduck>;
      const app = new Koa();
      app.use((context, next) => {
        if (allowed(context.req)) return next();
        context.status = 403;
        return undefined;
      });
      app.use(ld.middleware());
      const server = await ld.listen(koaRoutes(app), { port: 0, host: HOST });
      ld.ready();
      return { server };
    }
    case 'hono/bare': {
      const { Hono } = await import('hono');
      const { serve } = await import('@hono/node-server');
      const app = honoRoutes(new Hono<LameduckEnv>());
      const server = await new Promise<Server>((resolve) => {
        const created = serve({ fetch: app.fetch, port: 0, hostname: HOST }, () =>
          resolve(created as Server),
        );
      });
      return { server };
    }
    case 'hono/noop-middleware': {
      const { Hono } = await import('hono');
      const { serve } = await import('@hono/node-server');
      const app = new Hono<LameduckEnv>();
      app.use(async (_context, next) => {
        await next();
      });
      honoRoutes(app);
      const server = await new Promise<Server>((resolve) => {
        const created = serve({ fetch: app.fetch, port: 0, hostname: HOST }, () =>
          resolve(created as Server),
        );
      });
      return { server };
    }
    case 'hono/lameduck': {
      const { Hono } = await import('hono');
      const { createLameduck } = await import('@lameduck/hono');
      const ld = newLameduck(createLameduck) as ReturnType<typeof createLameduck>;
      const app = new Hono<LameduckEnv>();
      app.use(ld.middleware());
      const server = (await ld.listen(honoRoutes(app), { port: 0, host: HOST })) as Server;
      ld.ready();
      return { server };
    }
    default:
      throw new Error(`no server for ${key}`);
  }
}

async function stats(gc: boolean): Promise<ChildStats> {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (gc && collect) {
    // A few rounds, with a turn of the event loop between them, so that objects freed by
    // finalisers and closed handles are collected too.
    for (let round = 0; round < 4; round += 1) {
      collect();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const cpu = process.cpuUsage();
  const result: ChildStats = {
    checkRuns,
    cpuUs: cpu.user + cpu.system,
    heapUsedBytes: process.memoryUsage().heapUsed,
  };
  if (lameduck) {
    result.trackedConnections = lameduck.connections;
    result.trackedInFlight = lameduck.inFlight;
  }
  return result;
}

let profiler: Session | undefined;
const PROFILE_INTERVAL_US = 100;

/** Starts V8's CPU profiler (no file), or stops it and writes the profile to `file`. */
async function profile(file: string | undefined): Promise<void> {
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      profiler!.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  if (file === undefined) {
    if (profiler === undefined) {
      profiler = new Session();
      profiler.connect();
      await post('Profiler.enable');
      // 100 µs rather than V8's 1 ms: lameduck's part of a one-second round is a few ms, and
      // a share counted from a dozen samples would differ from round to round by sampling alone.
      await post('Profiler.setSamplingInterval', { interval: PROFILE_INTERVAL_US });
    }
    await post('Profiler.start');
    return;
  }
  const { profile: taken } = (await post('Profiler.stop')) as { profile: object };
  await writeFile(file, JSON.stringify(taken));
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'stats')
    void stats(message.gc).then((figures) => send({ ...message, stats: figures }));
  if (message.type === 'profile')
    void profile(message.file).then(() => send({ type: 'profiled', id: message.id }));
  // A normal exit, so that --cpu-prof writes its profile.
  if (message.type === 'exit') process.exit(0);
});

const started = await start();
const port = (started.server.address() as AddressInfo).port;
send({
  type: 'listening',
  port,
  probePort: started.probePort ?? port,
  probePath: started.probePath ?? PROBE_PATH,
});
// The IPC channel must not keep the process alive: each variant has to exit on its own after SIGTERM.
process.channel?.unref();
