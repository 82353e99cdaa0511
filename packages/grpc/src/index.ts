// Every type a user of the adapter writes (checks, hooks, options, results), and the values they call.

export { httpCheck, LameduckConfigError } from '@lameduck/core';
export { optionsFromEnv } from '@lameduck/core/node';
export type * from '@lameduck/core/types';
export type { ServingStatus } from './health-codec.js';
export { HEALTH_SERVICE, PROBE_SERVICE_NAMES } from './health-service.js';
export type { GrpcLameduck, GrpcListenOptions } from './lameduck.js';
export { createLameduck } from './lameduck.js';
