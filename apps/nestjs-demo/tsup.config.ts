import { packageBuild } from '../../tsup.base';

// An app, not a library: one ESM file to run with `node dist/server.js`, no declarations.
export default packageBuild({ server: 'src/server.ts' }, { format: ['esm'], dts: false });
