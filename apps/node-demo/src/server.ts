// node-demo: the demo contract on plain node:http with @lameduck/core alone, no framework.
// Start: `node dist/server.js` (no package manager between SIGTERM and the process).
import { createServer } from 'node:http';
import { createNodeLameduck, respondToNode, startServer } from '@lameduck/core/node';
import { checkDependencyFromEnv, runDemo } from 'demo-kit';
import { handleRequest } from './routes.js';

runDemo('node-demo', async () => {
  // Configured by the manifest: LAMEDUCK_DRAIN_DELAY_MS, LAMEDUCK_DRAIN_TIMEOUT_MS and the others
  // are read from the environment by default.
  const lameduck = createNodeLameduck();
  checkDependencyFromEnv(lameduck, process.env);

  const server = await startServer(
    lameduck,
    createServer((request, response) => {
      if (!respondToNode(lameduck, request, response)) handleRequest(request, response);
    }),
  );
  lameduck.ready('listening');
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
});
