/** What the parent asks a server child to run; passed as JSON in the child's argv. */

export const FRAMEWORKS = ['node', 'express', 'koa', 'hono'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/**
 * `bare`: the framework alone. `lameduck`: with its adapter (middleware + listen, or attach).
 * `naive`: bare plus `server.close()` on SIGTERM. The rest are peers.
 */
export type Variant =
  | 'bare'
  | 'lameduck'
  | 'naive'
  /** keep-alive: bare plus `server.close()` and `closeIdleConnections()` on SIGTERM, the least a bare server does to exit under a long keep-alive timeout. */
  | 'close-idle'
  | 'terminus'
  | 'http-terminator'
  | 'lightship'
  /** --breakdown: lameduck's two per-request costs apart (connection tracking, probe matching). */
  | 'lameduck-attach'
  | 'lameduck-probe'
  /** --baseline-core: lameduck on node:http loaded from another build of core (before a change). */
  | 'lameduck-baseline'
  /** probes: lameduck's middleware on a server listen() did not start (probes go through the app). */
  | 'lameduck-router'
  /** probes: an allow-list mounted before lameduck's middleware, with listen() (probes go through it). */
  | 'lameduck-allowlist'
  /** --breakdown: the framework with one pass-through middleware, what any middleware costs. */
  | 'noop-middleware';

export interface ServerSpec {
  framework: Framework;
  variant: Variant;
  /** A readiness check that takes this long (probe storm); none when absent. */
  checkMs?: number;
  /** Load `@lameduck/core/node` from this dist directory instead (lameduck-baseline). */
  coreDir?: string;
  /** lameduck's idleGraceMs (its default when absent). */
  idleGraceMs?: number;
  /** The server's keep-alive timeout (lameduck's `keepAliveTimeoutMs`); each one's default when absent. */
  keepAliveTimeoutMs?: number;
  /** Every library's drain/termination timeout, set alike so nobody is cut short unfairly. */
  drainTimeoutMs?: number;
}

/** Messages from a server child to the parent. */
export type ChildMessage =
  | { type: 'listening'; port: number; probePort: number; probePath: string }
  | { type: 'slow-started' }
  | { type: 'stats'; id: number; stats: ChildStats }
  | { type: 'profiled'; id: number };

export interface ChildStats {
  /** How many times the readiness check ran since the child started. */
  checkRuns: number;
  /** process.cpuUsage() user + system, in microseconds. */
  cpuUs: number;
  /** heapUsed after forced garbage collection (needs --expose-gc), else as it stands. */
  heapUsedBytes: number;
  /** What lameduck tracks (lameduck variants only): open connections and requests in flight. */
  trackedConnections?: number;
  trackedInFlight?: number;
}

/** Messages from the parent: `gc` asks for a collection before the figures are taken. */
export type ParentMessage =
  | { type: 'stats'; id: number; gc: boolean }
  /** Start the CPU profiler, or stop it and write the profile to `file`: one profile per round. */
  | { type: 'profile'; id: number; file?: string }
  | { type: 'exit' };

export const DEFAULT_DRAIN_TIMEOUT_MS = 5_000;
export const PROBE_PATH = '/readyz';
