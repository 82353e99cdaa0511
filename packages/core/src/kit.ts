// The adapter kit, fetch base: what an adapter needs to answer probes on any runtime. No `node:`
// module, no `process`; the Node half (`respondToNode`, `startServer`) is in `./node/`.
import { describeValue } from './describe.js';
import { LameduckConfigError } from './errors.js';
import { internalsOf, type LifecycleInternals } from './internals.js';
import type { ProbeRequest, ProbeResponse } from './respond.js';

/** The object `createLameduck` returns, or one built on it (every adapter's lifecycle). */
export type Lifecycle = object;

function internals(lifecycle: Lifecycle, caller: string): LifecycleInternals {
  const found = internalsOf(lifecycle);
  if (found === undefined) {
    throw new LameduckConfigError(
      `${caller}() needs the lifecycle that createLameduck() returns as its first argument, got ${describeValue(lifecycle)}`,
    );
  }
  return found;
}

/**
 * Answers a probe request given as plain data (what a framework's request object holds):
 * `undefined`, synchronously, when the path is not a probe path (pass the request on), else a
 * promise of `{ status, headers, body }` to write. Never throws or rejects for any request.
 */
export function respondToProbe(
  lifecycle: Lifecycle,
  request: ProbeRequest,
): Promise<ProbeResponse> | undefined {
  return internals(lifecycle, 'respondToProbe').respond(request);
}

/**
 * True when a raw request target (with or without its query) is one of the probe paths or under
 * one: a cheap, allocation-free test to run before building a probe request.
 */
export function isProbePath(lifecycle: Lifecycle, target: string): boolean {
  return typeof target === 'string' && internals(lifecycle, 'isProbePath').isProbePath(target);
}

/**
 * Answers a fetch `Request` that is a probe with a `Response`; `undefined`, synchronously, for
 * any other request. `target` is the raw request target when the runtime has it (a URL parser
 * resolves dot segments, so `request.url` of `/readyz/%2e%2e/livez` already says `/livez`);
 * without it, `request.url` is used. For a fetch handler with no framework:
 * `fetch: (request) => respondToFetch(lameduck, request) ?? app(request)`.
 */
export function respondToFetch(
  lifecycle: Lifecycle,
  request: Request,
  target?: string,
): Promise<Response> | undefined {
  const kit = internals(lifecycle, 'respondToFetch');
  let probe: ProbeRequest;
  try {
    const path = target ?? request.url;
    if (!kit.isProbePath(path)) return undefined;
    probe = { method: request.method, path, headers: request.headers };
  } catch {
    // Not a Request we can read: not a probe either.
    return undefined;
  }
  return kit
    .respond(probe)
    ?.then(({ status, headers, body }) => new Response(body === '' ? null : body, { status, headers }));
}

/**
 * Adds an adapter's members (`middleware`, `listen`, …) to a lifecycle and returns the same
 * object, typed as both: one object for the user, whichever layers built it. Getters stay getters.
 */
export function extendLifecycle<L extends Lifecycle, M extends object>(lifecycle: L, members: M): L & M {
  internals(lifecycle, 'extendLifecycle');
  return Object.defineProperties(lifecycle, Object.getOwnPropertyDescriptors(members)) as L & M;
}
