import type { Logger } from '../../src/logger.js';

type Level = keyof Logger;

/**
 * A logger that keeps what it is told, for assertions: `lines` as "level message", `entries` as
 * objects. `dropPrefix` removes the "[lameduck] " that the lifecycle puts before its messages.
 */
export function recordingLogger(options: { dropPrefix?: boolean } = {}) {
  const lines: string[] = [];
  const entries: { level: Level; message: string }[] = [];
  const record = (level: Level) => (message: string) => {
    const text = options.dropPrefix ? message.replace('[lameduck] ', '') : message;
    lines.push(`${level} ${text}`);
    entries.push({ level, message: text });
  };
  const logger: Logger = { info: record('info'), warn: record('warn'), error: record('error') };
  return { logger, lines, entries };
}
