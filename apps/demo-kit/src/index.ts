export { MAX_SLOW_MS, parseSlowMs, SLOW_USAGE } from './slow.js';
export { checkDependencyFromEnv, runDemo } from './startup.js';
