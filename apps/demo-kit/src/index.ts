export type { DemoDatabase, DemoResponse } from './database.js';
export { checkDatabaseFromEnv, databaseRoute } from './database.js';
export { MAX_SLOW_MS, parseSlowMs, SLOW_USAGE } from './slow.js';
export { checkDependencyFromEnv, runDemo } from './startup.js';
