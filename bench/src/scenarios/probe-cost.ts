import type { BenchContext } from '../context.js';
import type { Row } from '../report.js';
import { type PairedEntry, runPaired } from './overhead.js';

/**
 * What one cached readiness probe costs the server against one hello world, on node:http under
 * the overhead scenario's load: `GET /` on a bare server, `GET /readyz` on a lameduck server
 * whose one check (1 ms, cached 1 s) runs about once a second. With --baseline-core, the same
 * probe against another build of core (before a change), in the same rounds.
 */
export async function runProbeCost(context: BenchContext): Promise<Row[]> {
  if (!context.settings.frameworks.includes('node')) return [];
  const entries: PairedEntry[] = [
    { spec: { framework: 'node', variant: 'bare' }, path: '/', label: 'bare, hello world' },
    {
      spec: { framework: 'node', variant: 'lameduck', checkMs: 1 },
      path: '/readyz',
      label: 'lameduck, cached probe',
    },
  ];
  const baseline = context.settings.baselineCore;
  if (baseline !== undefined) {
    entries.push({
      spec: { framework: 'node', variant: 'lameduck-baseline', checkMs: 1, coreDir: baseline },
      path: '/readyz',
      label: 'lameduck, cached probe (baseline core)',
    });
  }
  return runPaired(context, 'probe-cost', entries);
}
