// A Nest app with the conformance routes, on either platform, wired as the README says.
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import {
  type CanActivate,
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
  Query,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { createLameduck, LAMEDUCK, LameduckModule, type NestLameduck } from '../src/index.js';

export type Platform = 'express' | 'fastify';
export const PLATFORMS: Platform[] = ['express', 'fastify'];

@Controller()
class AppController {
  @Get()
  hello() {
    return 'hello';
  }

  @Get('slow')
  async slow(@Query('ms') ms: string) {
    await new Promise((resolve) => setTimeout(resolve, Number(ms)));
    return 'slow';
  }

  @Get('boom')
  boom() {
    throw new Error('boom');
  }
}

/** A provider with a dependency to close: the order of Nest's shutdown hooks is recorded. */
@Injectable()
export class Pool implements OnApplicationShutdown {
  readonly events: string[] = [];
  constructor(@Inject(LAMEDUCK) lameduck: NestLameduck) {
    lameduck.check('pool', async () => {});
    lameduck.onCleanup('pool-flush', () => {
      this.events.push('lameduck cleanup hook');
    });
  }
  onModuleDestroy() {
    this.events.push('onModuleDestroy');
  }
  beforeApplicationShutdown() {
    this.events.push('beforeApplicationShutdown');
  }
  onApplicationShutdown() {
    this.events.push('onApplicationShutdown');
  }
}

/** Refuses every request: probes must never meet it. */
export class DenyAll implements CanActivate {
  canActivate() {
    return false;
  }
}

export async function startNestApp(
  platform: Platform,
  options: Parameters<typeof createLameduck>[0],
  {
    configure = () => {},
    withPool = false,
  }: {
    configure?: (app: Awaited<ReturnType<typeof NestFactory.create>>) => void;
    withPool?: boolean;
  } = {},
) {
  const lameduck = createLameduck(options);
  @Module({
    imports: [LameduckModule.forRoot(lameduck)],
    controllers: [AppController],
    providers: withPool ? [Pool] : [],
  })
  class AppModule {}
  const app =
    platform === 'fastify'
      ? await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false })
      : await NestFactory.create(AppModule, { logger: false });
  configure(app);
  const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1' });
  return {
    app,
    lameduck,
    pool: withPool ? app.get(Pool) : undefined,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  };
}
