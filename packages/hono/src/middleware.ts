import type { Lameduck } from '@lameduck/core';
import type { MiddlewareHandler } from 'hono';

/** Hono variables the middleware sets: `c.var.deadlineSignal` aborts when the drain deadline is reached. */
export interface LameduckEnv {
  Variables: { deadlineSignal: AbortSignal };
}

/**
 * The probe middleware every entry point shares: fetch-only (a `Request` in, a `Response` out),
 * so it runs wherever Hono runs. Answers the probe paths and passes everything else on.
 */
export function probeMiddleware(
  lifecycle: Pick<Lameduck, 'isProbePath' | 'respond'>,
  deadlineSignal: AbortSignal,
): MiddlewareHandler<LameduckEnv> {
  return async (context, next) => {
    context.set('deadlineSignal', deadlineSignal);
    const path = pathAndQuery(context.req.url);
    if (!lifecycle.isProbePath(path)) return next();
    const answer = lifecycle.respond({ method: context.req.method, path, headers: context.req.raw.headers });
    if (!answer) return next();
    const { status, headers, body } = await answer;
    return context.body(body, status as 200, headers);
  };
}

/** "http://host:8080/readyz?verbose" → "/readyz?verbose", without building a URL object per request. */
function pathAndQuery(url: string): string {
  const authority = url.indexOf('://');
  const slash = url.indexOf('/', authority === -1 ? 0 : authority + 3);
  return slash === -1 ? '/' : url.slice(slash);
}
