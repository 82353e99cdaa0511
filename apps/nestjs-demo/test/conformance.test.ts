// The shared conformance suite on NestJS 11 (this app's Nest; the package's own tests run Nest 12),
// on both platforms, in process.
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { createLameduck, LameduckModule } from '@lameduck/nestjs';
import { Controller, Get, Module, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { runConformanceSuite } from 'lameduck-test-utils';

@Controller()
class ConformanceController {
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

for (const platform of ['express', 'fastify'] as const) {
  runConformanceSuite({
    framework: `nestjs 11 on ${platform}`,
    async start(options) {
      const lameduck = createLameduck(options);
      @Module({ imports: [LameduckModule.forRoot(lameduck)], controllers: [ConformanceController] })
      class AppModule {}
      const app =
        platform === 'fastify'
          ? await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false })
          : await NestFactory.create(AppModule, { logger: false });
      const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1' });
      return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        lameduck,
        close: async () => {
          if (lameduck.state !== 'closed') await lameduck.shutdown('test finished');
        },
      };
    },
  });
}
