import { packageBuild } from '../../tsup.base';

// The two builds run in parallel: the library's clean leaves dist/bin to the probe's own build.
export default [
  // splitting: one shared chunk for the model, so `@lameduck/core` and `@lameduck/core/node` share
  // one LameduckConfigError class (instanceof works across the two entry points).
  packageBuild(
    { index: 'src/index.ts', node: 'src/node/index.ts', types: 'src/node/types.ts' },
    { clean: ['!bin/**'], splitting: true },
  ),
  // lameduck-probe: one self-contained ESM file with its shebang (tsup makes it executable).
  packageBuild({ probe: 'src/bin/probe.ts' }, { outDir: 'dist/bin', format: ['esm'], dts: false }),
];
