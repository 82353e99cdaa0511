import { percentile } from './percentile.js';
import type { ProxiedConnection } from './proxy.js';

/**
 * Why a request failed.
 * - refused: its new connection went to a pod that had closed its listener (ECONNREFUSED with
 *   iptables; the proxy resets it).
 * - reset: the connection was closed or reset under the request (ECONNRESET, "socket hang up").
 * - truncated: the answer began and was cut off (its headers came, not all of its body).
 * - timeout: no complete answer within the request timeout.
 * - no-endpoint: the Service had no endpoint to send the connection to.
 * - unreachable: its new connection went to the address of a pod that is gone (EHOSTUNREACH:
 *   kube-proxy's rules still named it; the kernel mode only).
 * - bad-gateway, unavailable, gateway-timeout: a proxy's own answers 502, 503 and 504 (behind
 *   --ingress nginx: a pod failed the request and nginx did not, or could not, try another).
 * - http-error: any other answer with a status of 400 or more.
 * - other: any other error code.
 */
export type FailureKind =
  | 'refused'
  | 'reset'
  | 'truncated'
  | 'timeout'
  | 'no-endpoint'
  | 'unreachable'
  | 'bad-gateway'
  | 'unavailable'
  | 'gateway-timeout'
  | 'http-error'
  | 'other';

export const FAILURE_KINDS: readonly FailureKind[] = [
  'refused',
  'reset',
  'truncated',
  'timeout',
  'no-endpoint',
  'unreachable',
  'bad-gateway',
  'unavailable',
  'gateway-timeout',
  'http-error',
  'other',
];

/** What an answer's status says: a failure for 400 and above, the proxy's own for 502–504. */
export function classifyStatus(status: number): FailureKind | undefined {
  if (status >= 200 && status < 400) return undefined;
  if (status === 502) return 'bad-gateway';
  if (status === 503) return 'unavailable';
  if (status === 504) return 'gateway-timeout';
  return 'http-error';
}

/** One request through the Service. Times are milliseconds since the run started. */
export interface RequestRecord {
  /** The request's number in its run, sent as X-Drill-Request (nginx logs it). */
  id?: number;
  /** GET unless said otherwise. */
  method?: 'GET' | 'POST';
  startMs: number;
  endMs: number;
  /** idle-gaps: a keep-alive client that waits longer than Node's keep-alive timeout between requests. */
  client: 'keep-alive' | 'new-connection' | 'idle-gaps';
  /** Sent on a connection that had carried a request before. */
  reused: boolean;
  status?: number;
  /** The error code (ECONNRESET…) of a request that got no complete answer. */
  code?: string;
  failure?: FailureKind;
  /** The pod (and its version) the Service sent the request's connection to. */
  pod?: string;
  version?: string;
  /** The client side's port of its connection, when the connection opened. */
  localPort?: number;
}

export function classify(input: {
  code: string;
  timedOut: boolean;
  /** The answer's headers had come when it failed. */
  answered?: boolean;
  connection: ProxiedConnection['outcome'] | undefined;
}): FailureKind {
  if (input.timedOut) return 'timeout';
  if (input.answered) return 'truncated';
  // Before ECONNREFUSED: in the kernel mode, a REJECT for want of endpoints is one too.
  if (input.connection === 'no-endpoint') return 'no-endpoint';
  if (input.connection === 'refused' || input.code === 'ECONNREFUSED') return 'refused';
  if (['ECONNRESET', 'EPIPE', 'ECONNABORTED'].includes(input.code)) return 'reset';
  if (['EHOSTUNREACH', 'ENETUNREACH'].includes(input.code)) return 'unreachable';
  return 'other';
}

export interface RequestSummary {
  requests: number;
  ok: number;
  failed: number;
  failedByKind: Record<FailureKind, number>;
  /** Failures by error code or status: { ECONNRESET: 3, "503": 1 }. */
  failedByCode: Record<string, number>;
  /** Answers (any status) by the version that gave them. */
  answeredBy: Record<string, number>;
  latencyMs: { p50: number; p99: number; max: number };
  /** From the first request's start to the last one's end. */
  durationMs: number;
  /** Requests per second over that duration. */
  ratePerSecond: number;
}

export function summarize(records: readonly RequestRecord[]): RequestSummary {
  const failedByKind = Object.fromEntries(FAILURE_KINDS.map((kind) => [kind, 0])) as Record<
    FailureKind,
    number
  >;
  const failedByCode: Record<string, number> = {};
  const answeredBy: Record<string, number> = {};
  const latencies: number[] = [];
  let firstMs = Number.POSITIVE_INFINITY;
  let lastMs = 0;
  for (const record of records) {
    firstMs = Math.min(firstMs, record.startMs);
    lastMs = Math.max(lastMs, record.endMs);
    if (record.failure) {
      failedByKind[record.failure] += 1;
      const code = record.code ?? String(record.status);
      failedByCode[code] = (failedByCode[code] ?? 0) + 1;
    } else {
      latencies.push(record.endMs - record.startMs);
    }
    if (record.status !== undefined && record.version !== undefined)
      answeredBy[record.version] = (answeredBy[record.version] ?? 0) + 1;
  }
  latencies.sort((a, b) => a - b);
  const failed = Object.values(failedByKind).reduce((sum, count) => sum + count, 0);
  const durationMs = records.length === 0 ? 0 : lastMs - firstMs;
  return {
    requests: records.length,
    ok: records.length - failed,
    failed,
    failedByKind,
    failedByCode,
    answeredBy,
    latencyMs: {
      p50: round(percentile(latencies, 0.5) ?? 0),
      p99: round(percentile(latencies, 0.99) ?? 0),
      max: round(latencies.at(-1) ?? 0),
    },
    durationMs: Math.round(durationMs),
    ratePerSecond: durationMs > 0 ? Math.round((records.length * 1000) / durationMs) : 0,
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
