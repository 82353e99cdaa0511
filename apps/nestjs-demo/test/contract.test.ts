import { fileURLToPath } from 'node:url';
import { runDemoContract } from 'lameduck-test-utils';

const appDir = fileURLToPath(new URL('..', import.meta.url));

// NestJS 11 on both of its HTTP platforms.
runDemoContract({ name: 'nestjs-demo', appDir });
runDemoContract({ name: 'nestjs-demo', appDir, env: { NEST_PLATFORM: 'fastify' } });
