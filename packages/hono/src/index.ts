// Every type a user of the adapter writes (checks, hooks, options, results), and the values they call.

export { httpCheck, LameduckConfigError } from '@lameduck/core';
export { optionsFromEnv } from '@lameduck/core/node';
export type * from '@lameduck/core/types';
export type { HonoLameduck, HonoListenOptions } from './lameduck.js';
export { createLameduck } from './lameduck.js';
export type { LameduckEnv } from './middleware.js';
