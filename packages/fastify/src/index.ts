// Every type a user of the adapter writes (checks, hooks, options, results), and the values they call.

export { httpCheck, LameduckConfigError } from '@lameduck/core';
export { optionsFromEnv } from '@lameduck/core/node';
export type * from '@lameduck/core/types';
export type { FastifyInstanceLike, FastifyLameduck, LameduckPlugin } from './lameduck.js';
export { createLameduck } from './lameduck.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Aborts when lameduck's drain starts: end an SSE stream or a long poll with a last event. */
    readonly drainSignal: AbortSignal;
    /** Aborts when lameduck's drain deadline is reached: stop long work cleanly instead of being cut. */
    readonly deadlineSignal: AbortSignal;
  }
}
