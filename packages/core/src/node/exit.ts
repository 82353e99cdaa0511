import { constants } from 'node:os';
import type { Logger } from '../index.js';

/** The part of `process` that exiting needs; a fake in tests. */
export interface ExitTarget {
  readonly pid: number;
  exit(code: number): void;
  kill(pid: number, signal: NodeJS.Signals): unknown;
  listenerCount(event: NodeJS.Signals): number;
}

/**
 * Ends the process after a shutdown. `code` exits with the shutdown's exit code. `reraise` sends
 * the signal again, to die by it as if nobody had caught it (status 143 for SIGTERM), unless some
 * other listener would swallow it: then it exits with the same 128 + signal number status.
 * Call only after lameduck's own signal listeners are removed.
 */
export function exitProcess(
  target: ExitTarget,
  logger: Logger,
  mode: 'code' | 'reraise',
  exitCode: number,
  signal?: NodeJS.Signals,
): void {
  if (mode === 'reraise' && signal !== undefined) {
    const statusCode = 128 + (constants.signals[signal] ?? 0);
    if (target.listenerCount(signal) === 0) {
      logger.info(`re-raising ${signal} (exit status ${statusCode})`);
      target.kill(target.pid, signal);
      return;
    }
    logger.warn(
      `cannot re-raise ${signal}: ${target.listenerCount(signal)} other listener(s) would catch it; exiting with ${statusCode} instead`,
    );
    target.exit(statusCode);
    return;
  }
  logger.info(`exiting with code ${exitCode}`);
  target.exit(exitCode);
}
