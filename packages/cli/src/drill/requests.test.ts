import { describe, expect, it } from 'vitest';
import { percentile } from './percentile.js';
import { classify, type RequestRecord, summarize } from './requests.js';

function record(fields: Partial<RequestRecord>): RequestRecord {
  return {
    startMs: 0,
    endMs: 1,
    client: 'new-connection',
    reused: false,
    status: 200,
    version: 'v1',
    ...fields,
  };
}

describe('classify', () => {
  it('names the cause from what the client saw and what the proxy knows', () => {
    expect(classify({ code: 'ECONNRESET', timedOut: false, connection: 'refused' })).toBe('refused');
    expect(classify({ code: 'ECONNRESET', timedOut: false, connection: 'no-endpoint' })).toBe('no-endpoint');
    expect(classify({ code: 'ECONNRESET', timedOut: false, connection: 'open' })).toBe('reset');
    expect(classify({ code: 'EPIPE', timedOut: false, connection: undefined })).toBe('reset');
    expect(classify({ code: 'ETIMEDOUT', timedOut: true, connection: 'open' })).toBe('timeout');
    expect(classify({ code: 'EMFILE', timedOut: false, connection: undefined })).toBe('other');
    // The kernel mode: a REJECT for want of endpoints, and a pod address that is gone.
    expect(classify({ code: 'ECONNREFUSED', timedOut: false, connection: 'no-endpoint' })).toBe(
      'no-endpoint',
    );
    expect(classify({ code: 'ECONNREFUSED', timedOut: false, connection: undefined })).toBe('refused');
    expect(classify({ code: 'EHOSTUNREACH', timedOut: false, connection: undefined })).toBe('unreachable');
  });
});

describe('percentile', () => {
  it('is the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeUndefined();
  });
});

describe('summarize', () => {
  it('counts requests, failures by kind and code, answers by version, and latency of the answered', () => {
    const summary = summarize([
      record({ startMs: 0, endMs: 2 }),
      record({ startMs: 10, endMs: 14, version: 'v2' }),
      record({ startMs: 20, endMs: 21, status: undefined, code: 'ECONNRESET', failure: 'refused' }),
      record({ startMs: 30, endMs: 1000, status: 503, failure: 'http-error' }),
    ]);
    expect(summary).toMatchObject({
      requests: 4,
      ok: 2,
      failed: 2,
      failedByKind: { refused: 1, 'http-error': 1, reset: 0 },
      failedByCode: { ECONNRESET: 1, '503': 1 },
      answeredBy: { v1: 2, v2: 1 },
      latencyMs: { p50: 2, p99: 4, max: 4 },
      durationMs: 1000,
      ratePerSecond: 4,
    });
  });

  it('is all zeros for no requests', () => {
    expect(summarize([])).toMatchObject({
      requests: 0,
      failed: 0,
      durationMs: 0,
      latencyMs: { p50: 0, p99: 0 },
    });
  });
});
