import type { ServerResponse } from 'node:http';
import type { AppOrder } from '@lameduck/core/node';

/** The parts of an Express 4 or 5 app and its router that tell what a request meets first. */
interface Layer {
  handle?: unknown;
  /** Express 5's router: mounted at '/' as middleware (not a route). */
  slash?: boolean;
  /** Express 4's router: the same. */
  regexp?: { fast_slash?: boolean };
  name?: string;
}
interface ExpressApp {
  (...args: never[]): unknown;
  /** Express 4 only. */
  lazyrouter?: unknown;
  _router?: { stack?: unknown };
  router?: { stack?: unknown };
  enabled?: (setting: string) => boolean;
}

/**
 * Whether `handler` is the first layer of an Express app's router, mounted at its root. Express 4
 * puts its own `query` and `expressInit` layers first (they parse the query string and set
 * `X-Powered-By`); anything else before `handler` is the user's, and probes must go through it.
 */
export function expressOrder(handler: unknown): AppOrder {
  return {
    // Express reads its router's stack for each request: so does this, for each probe.
    leads: (app) => () => leads(app, handler),
    prepare(app, response: ServerResponse) {
      // What Express does to every response before its first middleware.
      if ((app as ExpressApp).enabled?.('x-powered-by') === true)
        response.setHeader('X-Powered-By', 'Express');
    },
  };
}

function leads(app: unknown, handler: unknown): boolean {
  const stack = routerStack(app);
  if (stack === undefined) return false;
  const layer = stack[isExpress4(app as ExpressApp) ? express4Builtins(stack) : 0] as Layer | undefined;
  return (
    layer !== undefined &&
    layer.handle === handler &&
    (layer.slash === true || layer.regexp?.fast_slash === true)
  );
}

function isExpress4(app: ExpressApp): boolean {
  return typeof app.lazyrouter === 'function';
}

function routerStack(app: unknown): readonly unknown[] | undefined {
  if (typeof app !== 'function') return undefined;
  const express = app as ExpressApp;
  // Express 4's `app.router` getter throws; its router is `_router`, made by the first `use()`.
  const router = isExpress4(express) ? express._router : express.router;
  const stack = router?.stack;
  return Array.isArray(stack) ? stack : undefined;
}

/** How many of Express 4's own layers open the stack: `query`, then `expressInit`, or none. */
function express4Builtins(stack: readonly unknown[]): number {
  const [first, second] = stack as readonly (Layer | undefined)[];
  return first?.name === 'query' && second?.name === 'expressInit' ? 2 : 0;
}
