import { LameduckConfigError } from '@lameduck/core';
import { describe, expect, it } from 'vitest';
import { portFromEnv, resolveRuntimeOptions } from './options.js';

describe('resolveRuntimeOptions', () => {
  it('applies the Node adapters’ defaults, with the 5 s drain delay only in Kubernetes', () => {
    expect(resolveRuntimeOptions({}, false).settings).toEqual({
      drainDelayMs: 0,
      drainTimeoutMs: 20_000,
      hookTimeoutMs: 5_000,
      signals: ['SIGTERM', 'SIGINT'],
      exitOnSignal: true,
    });
    expect(resolveRuntimeOptions({}, true).settings.drainDelayMs).toBe(5_000);
    expect(resolveRuntimeOptions({ signals: false, prefix: '/health' }, false)).toMatchObject({
      model: { prefix: '/health' },
      settings: { signals: [] },
    });
  });

  it.each([
    [{ drainTimeoutMs: -1 }, 'drainTimeoutMs must be a whole number of milliseconds from 0 to 600000'],
    [{ drainDelayMs: '5s' }, 'drainDelayMs must be a whole number of milliseconds'],
    [{ signals: ['SIGKILL'] }, 'signals must be false or a list of SIGTERM, SIGINT, SIGHUP'],
    [{ exitOnSignal: 'yes' }, 'exitOnSignal must be true or false'],
  ])('refuses %o in one line', (options, message) => {
    expect(() => resolveRuntimeOptions(options as never, false)).toThrow(LameduckConfigError);
    expect(() => resolveRuntimeOptions(options as never, false)).toThrow(message);
  });

  it('reads PORT, refusing a bad one', () => {
    expect(portFromEnv(undefined)).toBe(8080);
    expect(portFromEnv('0')).toBe(0);
    expect(() => portFromEnv('http')).toThrow('PORT must be an integer from 0 to 65535, got "http"');
  });
});
