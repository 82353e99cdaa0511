export type { CheckFunction, CheckOptions, LameduckOptions } from '@lameduck/core';
export { httpCheck, LameduckConfigError } from '@lameduck/core';
export type {
  HookFunction,
  HookOptions,
  ListenOptions,
  NodeLameduck,
  NodeLameduckOptions,
  ShutdownResult,
} from '@lameduck/core/node';
export { optionsFromEnv } from '@lameduck/core/node';
export type { FastifyInstanceLike, FastifyLameduck, LameduckPlugin } from './lameduck.js';
export { createLameduck } from './lameduck.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Aborts when lameduck's drain deadline is reached: stop long work cleanly instead of being cut. */
    readonly deadlineSignal: AbortSignal;
  }
}
