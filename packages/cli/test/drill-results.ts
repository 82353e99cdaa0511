import { summarize } from '../src/drill/requests.js';
import type { Mode, RunResult } from '../src/drill/run.js';
import type { DrillEvent } from '../src/drill/timeline.js';

/** A small run as runDrill would return it: one pod replaced, one request refused. */
export function sampleRun(mode: Mode, failed: boolean): RunResult {
  const records = [
    {
      startMs: 100,
      endMs: 102,
      client: 'keep-alive' as const,
      reused: false,
      status: 200,
      pod: 'web-v1-1',
      version: 'v1',
    },
    {
      startMs: 1500,
      endMs: 1503,
      client: 'new-connection' as const,
      reused: false,
      status: 200,
      pod: 'web-v2-1',
      version: 'v2',
    },
    failed
      ? {
          startMs: 1200,
          endMs: 1201,
          client: 'new-connection' as const,
          reused: false,
          code: 'ECONNRESET',
          failure: 'refused' as const,
          pod: 'web-v1-1',
          version: 'v1',
        }
      : {
          startMs: 1200,
          endMs: 1201,
          client: 'new-connection' as const,
          reused: false,
          status: 200,
          version: 'v1',
        },
  ];
  const events: DrillEvent[] = [
    { atMs: 0, kind: 'pod-created', pod: 'web-v1-1', detail: 'v1' },
    { atMs: 50, kind: 'pod-ready', pod: 'web-v1-1' },
    { atMs: 60, kind: 'endpoints-applied', detail: 'ready: web-v1-1' },
    { atMs: 500, kind: 'rollout-started' },
    { atMs: 500, kind: 'pod-created', pod: 'web-v2-1', detail: 'v2' },
    { atMs: 900, kind: 'pod-ready', pod: 'web-v2-1' },
    { atMs: 900, kind: 'pod-deleted', pod: 'web-v1-1' },
    { atMs: 1000, kind: 'sigterm', pod: 'web-v1-1' },
    { atMs: 1100, kind: 'pod-exited', pod: 'web-v1-1', detail: 'exit code 0' },
    { atMs: 1100, kind: 'rollout-complete' },
    { atMs: 1300, kind: 'endpoints-applied', detail: 'ready: web-v2-1' },
  ];
  return {
    mode,
    network: 'userspace',
    service: mode === 'naive' ? 'naive-server.mjs' : 'express-demo',
    ...summarize(records),
    podsReplaced: 1,
    notSent: 0,
    restarts: 0,
    killedAtGracePeriod: 0,
    rolloutMs: 600,
    pods: [
      {
        name: 'web-v1-1',
        version: 'v1',
        port: 1,
        restarts: 0,
        exit: 'exit code 0',
        killedAtGracePeriod: false,
      },
      { name: 'web-v2-1', version: 'v2', port: 2, restarts: 0, killedAtGracePeriod: false },
    ],
    events,
    failures: records.filter((record) => 'failure' in record),
    records,
  };
}
