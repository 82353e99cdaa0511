// Every type a user of the adapter writes (checks, hooks, options, results), and the values they call.
export type * from '@lameduck/core';
export { httpCheck, LameduckConfigError } from '@lameduck/core';
export type * from '@lameduck/core/node';
export { optionsFromEnv } from '@lameduck/core/node';
export type { KoaLameduck } from './lameduck.js';
export { createLameduck } from './lameduck.js';
