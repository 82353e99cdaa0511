import { packageBuild } from '../../tsup.base';

// The two builds run in parallel: the library's clean leaves the bin's files alone.
export default [
  packageBuild({ index: 'src/index.ts' }, { clean: ['!cli.js', '!cli.js.map'] }),
  // The `lameduck` bin: ESM with its shebang (tsup makes it executable); `yaml` stays external.
  packageBuild({ cli: 'src/cli.ts' }, { format: ['esm'], dts: false, clean: false }),
];
