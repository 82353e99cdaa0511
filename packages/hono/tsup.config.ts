import { packageBuild } from '../../tsup.base';

// `.`: Node (createNodeLameduck + @hono/node-server). `fetch`: the model alone, for Workers.
// `bun`, `deno`: the model plus a drain for Bun.serve / Deno.serve.
export default packageBuild({
  index: 'src/index.ts',
  fetch: 'src/fetch.ts',
  bun: 'src/bun.ts',
  deno: 'src/deno.ts',
});
