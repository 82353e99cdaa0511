// Every type a user of the adapter writes (checks, hooks, options, results), and the values they call.
export type * from '@lameduck/core';
export { httpCheck, LameduckConfigError } from '@lameduck/core';
export type * from '@lameduck/core/node';
export { optionsFromEnv } from '@lameduck/core/node';
export type { FastifyInstanceLike, FastifyLameduck, LameduckPlugin } from './lameduck.js';
export { createLameduck } from './lameduck.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Aborts when lameduck's drain deadline is reached: stop long work cleanly instead of being cut. */
    readonly deadlineSignal: AbortSignal;
  }
}
