// node-demo: the demo contract on plain node:http with @lameduck/core alone, no framework.
// Start: `node dist/server.js` (no package manager between SIGTERM and the process).
import { createServer } from 'node:http';
import { createNodeLameduck, optionsFromEnv, startServer } from '@lameduck/core/node';
import { checkDependencyFromEnv, runDemo } from 'demo-kit';
import { handleRequest } from './routes.js';

runDemo('node-demo', async () => {
  // DRAIN_DELAY_MS, DRAIN_TIMEOUT_MS (and TERMINATION_GRACE_PERIOD_SECONDS for the budget check).
  const lameduck = createNodeLameduck(optionsFromEnv(process.env));
  checkDependencyFromEnv(lameduck, process.env);

  const server = await startServer(lameduck, (port, host, onListening) =>
    createServer((request, response) => {
      if (!lameduck.handleProbe(request, response)) handleRequest(request, response);
    }).listen(port, host, onListening),
  );
  lameduck.ready('listening');
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
});
