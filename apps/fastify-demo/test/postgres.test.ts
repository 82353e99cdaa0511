import { fileURLToPath } from 'node:url';
import { runPostgresContract } from 'demo-kit/testing/postgres-contract';

runPostgresContract({
  demo: 'fastify-demo',
  appDir: fileURLToPath(new URL('..', import.meta.url)),
  drainEnv: { LAMEDUCK_DRAIN_DELAY_MS: '0', LAMEDUCK_DRAIN_TIMEOUT_MS: '8000' },
  // The pool closes in app.close(), from its onClose hook: lameduck runs it as the "fastify" hook.
  hook: 'fastify',
});
