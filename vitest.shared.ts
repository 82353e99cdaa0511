import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * One test setup for every package. Sibling packages resolve to their TypeScript source, so
 * no test ever runs against a stale build; child processes (demo apps) use the built output.
 */
export default defineConfig({
  resolve: {
    alias: [
      { find: /^@lameduck\/core\/node$/, replacement: source('./packages/core/src/node/index.ts') },
      { find: /^@lameduck\/core$/, replacement: source('./packages/core/src/index.ts') },
    ],
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
