export { httpCheck, LameduckConfigError } from '@lameduck/core';
export type { ListenOptions, NodeLameduck, NodeLameduckOptions } from '@lameduck/core/node';
export { optionsFromEnv } from '@lameduck/core/node';
export type { ExpressLameduck } from './lameduck.js';
export { createLameduck } from './lameduck.js';
