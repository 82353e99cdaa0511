import type { ServerType } from '@hono/node-server';
import {
  createNodeLameduck,
  type ListenOptions,
  type NodeLameduck,
  type NodeLameduckOptions,
  startServer,
} from '@lameduck/core/node';
import type { Context, MiddlewareHandler } from 'hono';

/** Hono variables the middleware sets: `c.var.deadlineSignal` aborts when the drain deadline is reached. */
export interface LameduckEnv {
  Variables: { deadlineSignal: AbortSignal };
}

/** Any Hono app: all this adapter needs is its fetch handler. */
interface HonoApp {
  fetch: (request: Request, ...rest: never[]) => Response | Promise<Response>;
}

/** `@hono/node-server`'s `serve()` options besides `fetch`, `port` and `hostname` (e.g. HTTP/2's `createServer`). */
export interface HonoListenOptions extends ListenOptions {
  createServer?: unknown;
  serverOptions?: unknown;
  overrideGlobalObjects?: boolean;
}

export interface HonoLameduck extends NodeLameduck {
  /**
   * Middleware that answers the probe paths (`/livez`, `/readyz`, `/startupz` by default) and
   * passes every other request on, with `c.var.deadlineSignal` set. Works on any runtime Hono
   * runs on, including `app.request()` in tests; the drain engine is attached only by `listen()`.
   */
  middleware(): MiddlewareHandler<LameduckEnv>;
  /** `serve()` from `@hono/node-server` (HTTP/1 or HTTP/2) with the server attached to the drain engine. */
  listen(app: HonoApp, options?: HonoListenOptions): Promise<ServerType>;
}

/**
 * Creates the lifecycle for a Hono app: core's probes and drain engine, plus the Hono glue.
 * Options are core's (`@lameduck/core/node`), the same for every adapter.
 */
export function createLameduck(options: NodeLameduckOptions = {}): HonoLameduck {
  const lameduck = createNodeLameduck(options);
  return Object.assign(lameduck, {
    middleware(): MiddlewareHandler<LameduckEnv> {
      const bases = [lameduck.paths.readiness, lameduck.paths.liveness, lameduck.paths.startup];
      return async (context, next) => {
        context.set('deadlineSignal', lameduck.deadlineSignal);
        const path = probeTarget(context, bases, lameduck.isProbePath);
        if (path === undefined) return next();
        const answer = lameduck.respond({
          method: context.req.method,
          path,
          headers: context.req.raw.headers,
        });
        if (!answer) return next();
        const { status, headers, body } = await answer;
        return context.body(body, status as 200, headers);
      };
    },
    async listen(app: HonoApp, { port, host, ...serveOptions }: HonoListenOptions = {}) {
      // Loaded on first use, so runtimes without Node's http server never need @hono/node-server.
      const { serve } = await import('@hono/node-server');
      return startServer(
        lameduck,
        (listenPort, listenHost, onListening) =>
          serve(
            { fetch: app.fetch, port: listenPort, hostname: listenHost, ...serveOptions } as Parameters<
              typeof serve
            >[0],
            () => onListening(),
          ),
        { port, host },
      );
    },
  });
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
function probeTarget(
  context: Context,
  bases: readonly string[],
  isProbePath: (target: string) => boolean,
): string | undefined {
  const target = originForm(rawTarget(context));
  if (isProbePath(target)) return target;
  // Only a target that holds a probe path can be one under a mount point; the rest of the
  // app's requests stop here, before reading the route.
  let holdsProbePath = false;
  for (const base of bases) if (target.includes(base)) holdsProbePath = true;
  if (!holdsProbePath) return undefined;
  const relative = stripMount(target, mountPrefix(context));
  return relative !== undefined && isProbePath(relative) ? relative : undefined;
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
