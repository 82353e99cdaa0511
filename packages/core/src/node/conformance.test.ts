import { createServer } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { runConformanceSuite, runningApp } from 'lameduck-test-utils';
import { createNodeLameduck } from './node-lameduck.js';
import { respondToNode } from './respond-to-node.js';
import { startServer } from './start-server.js';

// The adapters' conformance suite, on plain node:http with respondToNode(): what the node demo does.
runConformanceSuite({
  framework: 'node:http',
  async start(options) {
    const lameduck = createNodeLameduck(options);
    const server = await startServer(
      lameduck,
      createServer((request, response) => {
        if (respondToNode(lameduck, request, response)) return;
        const url = new URL(request.url ?? '/', 'http://app');
        try {
          if (url.pathname === '/') response.end('hello');
          else if (url.pathname === '/slow') {
            void sleep(Number(url.searchParams.get('ms'))).then(() => response.end('slow'));
          } else if (url.pathname === '/boom') throw new Error('boom');
          else response.writeHead(404).end('not found');
        } catch {
          response.writeHead(500).end('error');
        }
      }),
      { port: 0, host: '127.0.0.1' },
    );
    return runningApp(lameduck, server);
  },
});
