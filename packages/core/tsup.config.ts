import { packageBuild } from '../../tsup.base';

// The two builds run in parallel: the library's clean leaves dist/bin to the probe's own build.
export default [
  packageBuild({ index: 'src/index.ts', node: 'src/node/index.ts' }, { clean: ['!bin/**'] }),
  // lameduck-probe: one self-contained ESM file with its shebang (tsup makes it executable).
  packageBuild({ probe: 'src/bin/probe.ts' }, { outDir: 'dist/bin', format: ['esm'], dts: false }),
];
