import { Agent, createServer, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHard, listen } from '../../test/support/http.js';
import { createLameduck } from '../index.js';
import { respondToNode } from './respond-to-node.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** One GET on a kept-alive socket; resolves with the status. */
function probe(agent: Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('a liveness check under one client probing 100 times a second', () => {
  it.each([
    ['/livez', 'liveness'],
    ['/readyz', 'readiness'],
  ] as const)(
    '%s runs the check about once a second (cacheTtlMs 1000), not at the caller’s rate',
    async (path, kind) => {
      const lifecycle = createLameduck({ logger: false });
      let calls = 0;
      lifecycle.check(
        'loop',
        async () => {
          calls += 1;
        },
        { kind },
      );
      lifecycle.ready();
      const server = createServer((req, res) => {
        if (!respondToNode(lifecycle, req, res)) res.end('app');
      });
      const port = await listen(server);
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      cleanups.push(async () => {
        agent.destroy();
        await closeHard(server);
      });

      // 100 requests a second for 2 s, from one client on one connection.
      const statuses: Promise<number>[] = [];
      const startedAt = performance.now();
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          statuses.push(probe(agent, port, path));
          if (statuses.length === 200) {
            clearInterval(timer);
            resolve();
          }
        }, 10);
      });
      const answered = await Promise.all(statuses);
      const elapsedS = (performance.now() - startedAt) / 1000;

      expect(answered.filter((status) => status === 200)).toHaveLength(200);
      // One run per TTL: about 2-3 over the run; a busy machine only stretches the run, so the
      // bound is per elapsed second (+1 for the first run), never per request.
      expect(calls).toBeGreaterThanOrEqual(2);
      expect(calls).toBeLessThanOrEqual(Math.ceil(elapsedS) + 1);
    },
  );
});
