// nestjs-demo: the demo contract on NestJS 11, on the Express platform (or Fastify with
// NEST_PLATFORM=fastify). Start: `node dist/server.js` (no package manager between SIGTERM and
// the process).
import 'reflect-metadata';
import { createLameduck, LameduckModule } from '@lameduck/nestjs';
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  Query,
  Res,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  checkDatabaseFromEnv,
  checkDependencyFromEnv,
  type DemoDatabase,
  databaseRoute,
  parseSlowMs,
  runDemo,
  SLOW_USAGE,
} from 'demo-kit';

const DATABASE = 'DATABASE';

/** The database of the demo (demo-kit's pool, when DATABASE_URL is set) and how to close it. */
interface DatabaseHandle {
  database: DemoDatabase | undefined;
  close: (() => Promise<void>)[];
}

/** Express's response and Fastify's reply alike: a status, a header, a body. */
interface TextReply {
  status(code: number): TextReply;
  header(name: string, value: string): TextReply;
  send(body: string): unknown;
}

function sendText(reply: TextReply, status: number, body: string) {
  reply.status(status).header('content-type', 'text/plain; charset=utf-8').send(body);
}

/**
 * The database, the Nest way: the pool closes in onApplicationShutdown, the last of Nest's
 * shutdown hooks, which lameduck runs after the last response.
 */
@Injectable()
class Database implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) readonly handle: DatabaseHandle) {}
  async onApplicationShutdown() {
    for (const close of this.handle.close) await close();
  }
}

@Controller()
class DemoController {
  constructor(@Inject(Database) private readonly db: Database) {}

  @Get()
  hello(@Res() reply: TextReply) {
    sendText(reply, 200, 'hello from nestjs-demo\n');
  }

  @Get('slow')
  async slow(@Query('ms') raw: unknown, @Res() reply: TextReply) {
    const ms = parseSlowMs(raw);
    if (ms === undefined) return sendText(reply, 400, SLOW_USAGE);
    await new Promise((resolve) => setTimeout(resolve, ms));
    sendText(reply, 200, `slept ${ms} ms\n`);
  }

  @Get('db')
  async db_(@Query('ms') raw: unknown, @Res() reply: TextReply) {
    const { status, body } = await databaseRoute(this.db.handle.database, raw);
    sendText(reply, status, body);
  }
}

runDemo('nestjs-demo', async () => {
  const lameduck = createLameduck();
  // Configuration is read before Nest starts, so a mistake is one line, not Nest's error log.
  checkDependencyFromEnv(lameduck, process.env);
  const handle: DatabaseHandle = { database: undefined, close: [] };
  handle.database = checkDatabaseFromEnv(
    {
      check: (name, fn, options) => lameduck.check(name, fn, options),
      onCleanup: (_name, fn) => handle.close.push(fn),
    },
    process.env,
  );

  @Module({
    imports: [LameduckModule.forRoot(lameduck)],
    controllers: [DemoController],
    providers: [Database, { provide: DATABASE, useValue: handle }],
  })
  class AppModule {}

  const logger = ['error', 'warn'] as const;
  const app =
    process.env.NEST_PLATFORM === 'fastify'
      ? await NestFactory.create(AppModule, new FastifyAdapter(), { logger: [...logger] })
      : await NestFactory.create(AppModule, { logger: [...logger] });
  const server = await lameduck.listen(app);
  lameduck.ready('listening');
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
});
