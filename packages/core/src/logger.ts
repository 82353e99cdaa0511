/** What a log line is about, for log pipelines to filter on: `check`, `phase`, `durationMs`, `state`, … */
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * The logging lameduck needs: three levels, one string each, and optionally the line's fields.
 * `console` fits, and so does a pino, bunyan or winston logger (`logger.info(message)`). Every
 * message is a complete sentence with its numbers in it, so it reads well in any of them; a
 * structured logger (pino, bunyan, or any logger with `logFields: true`) gets the fields too,
 * as `logger.info(fields, message)`.
 */
export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

type Level = 'info' | 'warn' | 'error';

/**
 * pino (`bindings()`) and bunyan (`levels()` and `fields`) take `logger.info(object, message)`;
 * winston has `child` and a `levels` object too, but reads an object first as the message.
 */
export function takesFields(logger: object): boolean {
  const candidate = logger as Record<string, unknown>;
  if (typeof candidate.child !== 'function') return false;
  if (typeof candidate.bindings === 'function') return true;
  return typeof candidate.levels === 'function' && typeof candidate.fields === 'object';
}

/**
 * Prefixes messages so they can be found among the app's own logs; with `structured`, hands the
 * fields over first (pino's shape), else drops them: a string logger gets exactly one string.
 */
export function prefixedLogger(logger: Logger, structured = false): Logger {
  const level = (name: Level) =>
    structured
      ? (message: string, fields?: LogFields) =>
          Reflect.apply(logger[name], logger, [fields ?? {}, `[lameduck] ${message}`])
      : (message: string) => logger[name](`[lameduck] ${message}`);
  return { info: level('info'), warn: level('warn'), error: level('error') };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
