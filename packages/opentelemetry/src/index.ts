export type { LameduckInstrumentation, LameduckInstrumentationOptions } from './instrument.js';
export { instrumentLameduck, outcomeOf } from './instrument.js';
export type { ShutdownOutcome } from './names.js';
export { ATTRIBUTES, METRICS, SPANS } from './names.js';
