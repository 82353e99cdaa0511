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
export type { NestApplicationLike, NestLameduck } from './lameduck.js';
export { createLameduck, LAMEDUCK, LameduckModule } from './lameduck.js';
