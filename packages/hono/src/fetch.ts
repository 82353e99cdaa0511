// @lameduck/hono/fetch: the probe middleware on the model alone — no `node:` module, no
// `process` — for Cloudflare Workers and any other fetch runtime where the platform drains.
import {
  createLameduck as createLifecycle,
  extendLifecycle,
  type Lameduck,
  type LameduckOptions,
} from '@lameduck/core';
import type { MiddlewareHandler } from 'hono';
import { type LameduckEnv, probeMiddleware } from './middleware.js';

export { httpCheck, LameduckConfigError } from '@lameduck/core';
export type { LameduckEnv } from './middleware.js';
export type * from './model-types.js';

export interface FetchLameduck extends Lameduck {
  /**
   * Middleware that answers the probe paths (`/livez`, `/readyz`, `/startupz` by default) and
   * passes every other request on, with `c.var.drainSignal` and `c.var.deadlineSignal` set.
   */
  middleware(): MiddlewareHandler<LameduckEnv>;
  /** Never aborts here: on a fetch runtime the platform drains, not lameduck. */
  readonly deadlineSignal: AbortSignal;
  /** Never aborts here either (Bun and Deno: when the drain starts). */
  readonly drainSignal: AbortSignal;
}

/** Creates the lifecycle (states, checks, probe answers) with the Hono middleware, and nothing else. */
export function createLameduck(options: LameduckOptions = {}): FetchLameduck {
  const lifecycle = createLifecycle(options);
  const deadlineSignal = new AbortController().signal;
  const drainSignal = new AbortController().signal;
  const middleware = probeMiddleware(lifecycle, deadlineSignal, drainSignal);
  return extendLifecycle(lifecycle, { deadlineSignal, drainSignal, middleware: () => middleware });
}
