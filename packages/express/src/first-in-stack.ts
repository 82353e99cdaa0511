import type { ServerResponse } from 'node:http';
import type { AheadOfApp } from '@lameduck/core/node';

/** What this reads of a layer of Express 4's router or of Express 5's (`router` 2). */
interface Layer {
  name?: string;
  handle?: unknown;
  route?: unknown;
  /** Express 5: mounted at the root (`app.use(fn)`, `app.use('/', fn)`). */
  slash?: boolean;
  /** Express 4: the same, on the layer's path pattern. */
  regexp?: { fast_slash?: boolean };
}

/** What this reads of an Express 4 or 5 app. */
interface ExpressApp {
  /** Express 4 only: creates `_router` (Express 5 has `router`, and on 4 that getter throws). */
  lazyrouter?: unknown;
  _router?: { stack?: unknown };
  router?: { stack?: unknown };
  enabled?: (setting: string) => boolean;
}

/**
 * Whether a probe may be answered in front of the Express app `app`: only while its router runs
 * `middleware` first, at the root (checked at every answer, as the app can mount more after
 * listen()). Express's own first layers (Express 4's `query` and `expressInit`) and error handlers
 * (they never run on the way in) may come before it; anything else, or a stack this does not
 * recognise, and the probe goes through the app. As the app would, the answer then carries
 * `X-Powered-By: Express` while that setting is on.
 */
export function aheadOfExpress(app: unknown, middleware: unknown): AheadOfApp | undefined {
  const express = app as ExpressApp;
  if (typeof app !== 'function' || typeof express.enabled !== 'function') return undefined;
  const express4 = typeof express.lazyrouter === 'function';
  return (response: ServerResponse) => {
    const stack = express4 ? express._router?.stack : express.router?.stack;
    if (!firstInStack(stack, express4, middleware)) return false;
    if (express.enabled?.('x-powered-by') === true) response.setHeader('X-Powered-By', 'Express');
    return true;
  };
}

function firstInStack(stack: unknown, express4: boolean, middleware: unknown): boolean {
  if (!Array.isArray(stack)) return false;
  let index = 0;
  if (express4) {
    // lazyrouter() puts Express 4's query parser and its init (X-Powered-By, prototypes) first.
    if ((stack[0] as Layer)?.name !== 'query' || (stack[1] as Layer)?.name !== 'expressInit') return false;
    index = 2;
  }
  for (; index < stack.length; index += 1) {
    const layer = stack[index] as Layer;
    if (layer.route === undefined && typeof layer.handle === 'function' && layer.handle.length > 3) continue;
    const atRoot = express4 ? layer.regexp?.fast_slash === true : layer.slash === true;
    return layer.handle === middleware && layer.route === undefined && atRoot;
  }
  return false;
}
