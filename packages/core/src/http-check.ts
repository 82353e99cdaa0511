import type { CheckDetails, CheckFunction } from './checks.js';
import { describeValue } from './describe.js';
import { LameduckConfigError } from './errors.js';
import { withoutUserinfo } from './userinfo.js';

export interface HttpCheckOptions {
  /** Status codes that pass. Default: any 2xx. */
  expectStatus?: (status: number) => boolean;
  /** Extra request headers (an auth token for an internal health endpoint). */
  headers?: Record<string, string>;
}

/**
 * A readiness check that GETs an upstream with the check's AbortSignal, so lameduck's timeout
 * really stops the request. Redirects are not followed: a health endpoint that redirects is
 * misconfigured, and following it could leave the cluster. Uses the global `fetch`. Credentials
 * go in `headers`, never in the URL (refused: fetch cannot send them, and URLs get logged).
 */
export function httpCheck(url: string | URL, options: HttpCheckOptions = {}): CheckFunction {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new LameduckConfigError(
      `httpCheck needs an absolute http(s) URL, got ${describeValue(withoutUserinfo(String(url)))}`,
    );
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new LameduckConfigError(
      `httpCheck needs an http(s) URL, got ${describeValue(withoutUserinfo(target.href))}`,
    );
  }
  // fetch refuses such a URL, and its error (logged on every failed run) repeats it, password and all.
  if (target.username !== '' || target.password !== '') {
    throw new LameduckConfigError(
      `httpCheck URL "${withoutUserinfo(target.href)}" has credentials in it (user:password@): fetch refuses such a URL, so the check would fail on every run; pass them as a header: httpCheck('https://host/health', { headers: { authorization: 'Basic …' } })`,
    );
  }
  const passes = options.expectStatus ?? ((status: number) => status >= 200 && status <= 299);
  return async (signal): Promise<CheckDetails> => {
    let response: Response;
    try {
      response = await fetch(target, { signal, redirect: 'manual', headers: options.headers });
    } catch (error) {
      throw new Error(`GET ${target.host}${target.pathname} failed: ${fetchFailure(error, signal)}`);
    }
    // Free the connection at once; the body is not needed.
    await response.body?.cancel().catch(() => {});
    if (!passes(response.status)) throw new Error(`${target.host} answered ${response.status}`);
    return { upstream: target.host, status: response.status };
  };
}

/**
 * Why a fetch failed, in the words an operator searches for: undici says only "fetch failed" and
 * keeps the reason (`connect ECONNREFUSED 127.0.0.1:9999`, a DNS error, a TLS error) in `cause`.
 */
function fetchFailure(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'no answer before the check was given up (its timeout)';
  const cause = (error as { cause?: unknown } | null)?.cause;
  const reason = cause instanceof Error ? cause : error instanceof Error ? error : undefined;
  if (reason === undefined) return 'the request failed';
  const code = (reason as { code?: unknown }).code;
  const message = reason.message || String(code ?? 'the request failed');
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}
