import { defineConfig, type Options } from 'tsup';

/**
 * The one build setup every package shares: ESM + CJS, each with its own declarations
 * (`.d.ts` beside `.js`, `.d.cts` beside `.cjs`), so `import` and `require` both get types.
 */
export function packageBuild(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    splitting: false,
    treeshake: true,
    ...overrides,
  });
}
