import { fileURLToPath } from 'node:url';
import { runDemoContract } from 'lameduck-test-utils';

runDemoContract({ name: 'fastify-demo', appDir: fileURLToPath(new URL('..', import.meta.url)) });
