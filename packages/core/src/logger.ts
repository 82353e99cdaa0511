/**
 * The logging lameduck needs: three levels, one string each. `console` fits, and so does a
 * pino or winston logger (`logger.info(message)`). Every message is a complete sentence with its
 * numbers in it, so it reads well in any of them.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Prefixes messages so they can be found among the app's own logs. */
export function prefixedLogger(logger: Logger): Logger {
  return {
    info: (message) => logger.info(`[lameduck] ${message}`),
    warn: (message) => logger.warn(`[lameduck] ${message}`),
    error: (message) => logger.error(`[lameduck] ${message}`),
  };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
