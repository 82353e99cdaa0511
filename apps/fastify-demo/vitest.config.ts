import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.ts';

// A real PostgreSQL for test/postgres.test.ts: installed if missing, started once per run.
export default mergeConfig(
  shared,
  defineConfig({ test: { globalSetup: ['../demo-kit/testing/postgres-global-setup.ts'] } }),
);
