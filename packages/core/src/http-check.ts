import type { CheckDetails, CheckFunction } from './checks.js';
import { describeValue } from './describe.js';
import { LameduckConfigError } from './errors.js';

export interface HttpCheckOptions {
  /** Status codes that pass. Default: any 2xx. */
  expectStatus?: (status: number) => boolean;
  /** Extra request headers (an auth token for an internal health endpoint). */
  headers?: Record<string, string>;
}

/**
 * A readiness check that GETs an upstream with the check's AbortSignal, so lameduck's timeout
 * really stops the request. Redirects are not followed: a health endpoint that redirects is
 * misconfigured, and following it could leave the cluster. Uses the global `fetch`.
 */
export function httpCheck(url: string | URL, options: HttpCheckOptions = {}): CheckFunction {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new LameduckConfigError(
      `httpCheck needs an absolute http(s) URL, got ${describeValue(String(url))}`,
    );
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new LameduckConfigError(`httpCheck needs an http(s) URL, got ${describeValue(target.href)}`);
  }
  const passes = options.expectStatus ?? ((status: number) => status >= 200 && status <= 299);
  return async (signal): Promise<CheckDetails> => {
    const response = await fetch(target, { signal, redirect: 'manual', headers: options.headers });
    // Free the connection at once; the body is not needed.
    await response.body?.cancel().catch(() => {});
    if (!passes(response.status)) throw new Error(`${target.host} answered ${response.status}`);
    return { upstream: target.host, status: response.status };
  };
}
