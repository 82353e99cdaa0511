import { packageBuild } from '../tsup.base';

// A program, not a library: the harness and the server child, ESM, no declarations.
export default packageBuild(
  {
    cli: 'src/cli.ts',
    server: 'src/server.ts',
    'idle-holder': 'src/idle-holder.ts',
    'doctor-rss': 'src/doctor-rss.ts',
  },
  { format: ['esm'], dts: false },
);
