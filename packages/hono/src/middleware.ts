import { isProbePath, type Lameduck, respondToProbe } from '@lameduck/core';
import type { Context, MiddlewareHandler } from 'hono';

/**
 * Hono variables the middleware sets: `c.var.drainSignal` aborts when the drain starts (end an
 * SSE stream with a last event), `c.var.deadlineSignal` when the drain deadline is reached.
 */
export interface LameduckEnv {
  Variables: { drainSignal: AbortSignal; deadlineSignal: AbortSignal };
}

/**
 * The probe middleware every entry point shares. It needs only the model and the fetch kit (no
 * `node:` module, no `process`), so it runs wherever Hono runs. Answers the probe paths and
 * passes everything else on.
 */
export function probeMiddleware(
  lifecycle: Lameduck,
  deadlineSignal: AbortSignal,
  drainSignal: AbortSignal,
): MiddlewareHandler<LameduckEnv> {
  const bases = [lifecycle.paths.readiness, lifecycle.paths.liveness, lifecycle.paths.startup];
  // A target holds a probe path only if it holds that path's last character ('z' of the default
  // paths): one search for a character rejects most targets, where a search per path cost three.
  const lastCharacters = [...new Set(bases.map((base) => base.slice(-1)))];
  // Not async: a request passed on costs no promise of ours.
  return (context, next) => {
    context.set('drainSignal', drainSignal);
    context.set('deadlineSignal', deadlineSignal);
    const target = rawTarget(context);
    // Only a target that holds a probe path can be a probe, at the root or under a mount point:
    // the app's own requests stop at this test, before any parsing.
    if (!holdsProbePath(target, bases, lastCharacters)) return next();
    const path = probeTarget(context, target, lifecycle);
    if (path === undefined) return next();
    const answer = respondToProbe(lifecycle, {
      method: context.req.method,
      path,
      headers: context.req.raw.headers,
    });
    if (!answer) return next();
    return answer.then(({ status, headers, body }) => context.body(body, status as 200, headers));
  };
}

function holdsProbePath(
  target: string,
  bases: readonly string[],
  lastCharacters: readonly string[],
): boolean {
  for (let index = 0; index < lastCharacters.length; index += 1) {
    if (target.indexOf(lastCharacters[index] as string) !== -1) {
      return bases.some((base) => target.includes(base));
    }
  }
  return false;
}

/**
 * The probe target of a request, relative to where the middleware is mounted, or undefined when
 * the request is not a probe.
 *
 * The raw request target is matched, as the other adapters do: on @hono/node-server it is
 * `env.incoming.url`, because `Request.url` has been through the URL parser, which resolves
 * dot segments (even `%2e%2e`), so `/readyz/%2e%2e/livez` would become `/livez`. Elsewhere the
 * runtime parsed the URL before Hono saw it, and `Request.url` is all there is.
 *
 * Mounted as Express does: under `app.route('/internal', sub)` (or `app.use('/internal/*', mw)`,
 * or `basePath('/internal')`), the probe paths are `/internal/readyz` and so on.
 */
function probeTarget(context: Context, raw: string, lifecycle: Lameduck): string | undefined {
  const target = originForm(raw);
  if (isProbePath(lifecycle, target)) return target;
  const relative = stripMount(target, mountPrefix(context));
  return relative !== undefined && isProbePath(lifecycle, relative) ? relative : undefined;
}

function rawTarget(context: Context): string {
  const incoming = (context.env as { incoming?: { url?: unknown } } | undefined)?.incoming;
  return typeof incoming?.url === 'string' ? incoming.url : context.req.url;
}

/** "http://host:8080/readyz?verbose" → "/readyz?verbose"; "" when there is no path. */
function originForm(target: string): string {
  if (target.charCodeAt(0) === 47) return target;
  const authority = target.indexOf('://');
  if (authority === -1) return '';
  for (let index = authority + 3; index < target.length; index += 1) {
    const code = target.charCodeAt(index);
    if (code === 47) return target.slice(index);
    if (code === 63 || code === 35) return '';
  }
  return '';
}

/** The static path the middleware is mounted under: "/internal/*" → "/internal", "/*" → "". */
function mountPrefix(context: Context): string {
  let pattern: unknown;
  try {
    // Hono 4's matched route pattern for this handler (hono/route's routePath(c) in newer 4.x).
    pattern = (context.req as { routePath?: unknown }).routePath;
  } catch {
    return '';
  }
  if (typeof pattern !== 'string' || !pattern.endsWith('*')) return '';
  const prefix = pattern.slice(0, -1);
  return prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
}

/**
 * The target with the mount prefix taken off, or undefined when it does not start with it.
 * A prefix with parameters ("/:tenant") takes off as many raw segments as it has.
 */
function stripMount(target: string, prefix: string): string | undefined {
  if (prefix === '') return target;
  // A regular expression or a wildcard inside the prefix could span any number of segments.
  if (prefix.includes('{') || prefix.includes('*')) return undefined;
  if (prefix.includes(':')) {
    let end = 0;
    for (let segments = prefix.split('/').length - 1; segments > 0; segments -= 1) {
      end = target.indexOf('/', end + 1);
      if (end === -1) return undefined;
    }
    return target.slice(end);
  }
  if (!target.startsWith(prefix)) return undefined;
  const rest = target.slice(prefix.length);
  return rest.charCodeAt(0) === 47 ? rest : undefined;
}
