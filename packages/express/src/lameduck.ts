import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AppLameduck,
  createAppLameduck,
  type NodeLameduckOptions,
  respondToNode,
} from '@lameduck/core/node';
import { aheadOfExpress } from './first-in-stack.js';

/** Express middleware: Node's request and response, with Express's `baseUrl` (its mount path). */
type ExpressMiddleware = (
  request: IncomingMessage & { baseUrl?: string },
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void;

export interface ExpressLameduck extends AppLameduck<ExpressMiddleware> {}

/**
 * Creates the lifecycle for an Express 4 or 5 app: core's probes and drain engine, plus
 * `middleware()` and `listen(app)`. Options are core's (`@lameduck/core/node`), the same for every adapter.
 */
export function createLameduck(options: NodeLameduckOptions = {}): ExpressLameduck {
  return createAppLameduck(
    options,
    (lameduck, probes): ExpressMiddleware =>
      (request, response, next) => {
        // `request.url` is relative to the mount point: app.use('/internal', mw) serves /internal/readyz.
        if (!respondToNode(lameduck, request, response)) return next();
        // At the root, not through a sub-app or router mounted elsewhere.
        if (request.baseUrl === '') probes.answeredAtRoot(request.url ?? '');
      },
    aheadOfExpress,
  );
}
