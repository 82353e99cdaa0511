import { fileURLToPath } from 'node:url';
import { runPostgresContract } from 'demo-kit/testing/postgres-contract';

runPostgresContract({
  demo: 'express-demo',
  appDir: fileURLToPath(new URL('..', import.meta.url)),
  drainEnv: { DRAIN_DELAY_MS: '0', DRAIN_TIMEOUT_MS: '8000' },
  hook: 'postgres-pool',
});
