import { describe, expect, it } from 'vitest';
import type { Logger } from '../index.js';
import { type ExitTarget, exitProcess } from './exit.js';

function fakeTarget(otherListeners = 0) {
  const calls: string[] = [];
  const target: ExitTarget = {
    pid: 4242,
    exit: (code) => calls.push(`exit ${code}`),
    kill: (pid, signal) => calls.push(`kill ${pid} ${signal}`),
    listenerCount: () => otherListeners,
  };
  return { target, calls };
}

const lines: string[] = [];
const logger: Logger = {
  info: (message) => lines.push(message),
  warn: (message) => lines.push(message),
  error: (message) => lines.push(message),
};

describe('exitProcess', () => {
  it('exits with the shutdown exit code', () => {
    const { target, calls } = fakeTarget();
    exitProcess(target, logger, 'code', 1, 'SIGTERM');
    expect(calls).toEqual(['exit 1']);
  });

  it('re-raises the signal to die by it (143 for SIGTERM)', () => {
    const { target, calls } = fakeTarget();
    exitProcess(target, logger, 'reraise', 0, 'SIGTERM');
    expect(calls).toEqual(['kill 4242 SIGTERM']);
    expect(lines.at(-1)).toBe('re-raising SIGTERM (exit status 143)');
  });

  it('exits with 128 + the signal number when another listener would swallow the signal', () => {
    const { target, calls } = fakeTarget(1);
    exitProcess(target, logger, 'reraise', 0, 'SIGINT');
    expect(calls).toEqual(['exit 130']);
  });

  it('falls back to the exit code when there is no signal to re-raise', () => {
    const { target, calls } = fakeTarget();
    exitProcess(target, logger, 'reraise', 0);
    expect(calls).toEqual(['exit 0']);
  });
});
