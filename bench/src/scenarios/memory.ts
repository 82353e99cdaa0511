import { type BenchContext, startChild } from '../context.js';
import { blast, churnConnections } from '../load.js';
import { type Column, type Row, round, show } from '../report.js';
import type { Variant } from '../spec.js';

/** node:http bare and with lameduck attached: the adapters add no per-request state of their own. */
const MEMORY_VARIANTS: Variant[] = ['bare', 'lameduck'];
const CONNECTIONS = 50;
/** Pipelined, so a million requests take seconds rather than minutes; each still passes the tracker. */
const PIPELINING = 16;
const CHURN_CONCURRENCY = 50;

export const MEMORY_COLUMNS: Column[] = [
  { title: 'framework', value: show.text('framework'), text: true },
  { title: 'variant', value: show.text('variant'), text: true },
  { title: 'heap before', value: show.number('heapBeforeBytes') },
  { title: 'conns opened+closed', value: show.number('connections') },
  { title: 'B/conn', value: show.number('heapGrowthBytesPerConnection', 2) },
  { title: 'requests', value: show.number('requests') },
  { title: 'B/request', value: show.number('heapGrowthBytesPerRequest', 3) },
  { title: 'heap after', value: show.number('heapAfterRequestsBytes') },
  { title: 'tracked conns left', value: show.number('leftTrackedConnections') },
];

/**
 * Heap after many requests and many connections: the child runs with --expose-gc and collects
 * before each reading, so what remains is what the server still holds.
 */
export async function runMemory(context: BenchContext): Promise<Row[]> {
  const { memory } = context.settings;
  if (!context.settings.frameworks.includes('node')) return [];
  const rows: Row[] = [];
  for (const variant of MEMORY_VARIANTS) {
    const child = await startChild(context, { framework: 'node', variant }, { execArgv: ['--expose-gc'] });
    try {
      // Warm up both paths first, so that JIT code and lazily built structures are in the baseline.
      await blast(child.port, memory.warmupRequests, CONNECTIONS, PIPELINING);
      await churnConnections(child.port, Math.min(500, memory.connections), CHURN_CONCURRENCY);
      const before = await child.stats(true);

      context.log(`memory node/${variant}: opening and closing ${memory.connections} connections`);
      const failedConnections = await churnConnections(child.port, memory.connections, CHURN_CONCURRENCY);
      const afterConnections = await child.stats(true);

      context.log(`memory node/${variant}: ${memory.requests} keep-alive requests`);
      const startedAt = performance.now();
      const answered = await blast(child.port, memory.requests, CONNECTIONS, PIPELINING);
      const seconds = (performance.now() - startedAt) / 1000;
      const afterRequests = await child.stats(true);

      rows.push({
        scenario: 'memory',
        framework: 'node',
        variant,
        connections: memory.connections,
        requests: answered,
        pipelining: PIPELINING,
        requestsPerSec: round(answered / seconds, 0),
        heapBeforeBytes: before.heapUsedBytes,
        heapAfterConnectionsBytes: afterConnections.heapUsedBytes,
        heapAfterRequestsBytes: afterRequests.heapUsedBytes,
        heapGrowthBytesPerConnection: round(
          (afterConnections.heapUsedBytes - before.heapUsedBytes) / memory.connections,
          3,
        ),
        heapGrowthBytesPerRequest: round(
          (afterRequests.heapUsedBytes - afterConnections.heapUsedBytes) / Math.max(1, answered),
          4,
        ),
        leftTrackedConnections: afterRequests.trackedConnections ?? null,
        leftInFlightRequests: afterRequests.trackedInFlight ?? null,
        failures: failedConnections + (memory.requests - answered),
      });
    } finally {
      await child.kill();
    }
  }
  return rows;
}
