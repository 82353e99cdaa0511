export { httpCheck, LameduckConfigError } from '@lameduck/core';
export type { NodeLameduck, NodeLameduckOptions } from '@lameduck/core/node';
export { optionsFromEnv } from '@lameduck/core/node';
export type { HonoLameduck, HonoListenOptions } from './lameduck.js';
export { createLameduck } from './lameduck.js';
export type { LameduckEnv } from './middleware.js';
