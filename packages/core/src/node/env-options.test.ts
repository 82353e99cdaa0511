import { describe, expect, it } from 'vitest';
import { optionsFromEnv } from './env-options.js';

describe('optionsFromEnv', () => {
  it('maps each variable to its option', () => {
    expect(
      optionsFromEnv({
        DRAIN_DELAY_MS: '0',
        DRAIN_TIMEOUT_MS: '15000',
        HOOK_TIMEOUT_MS: ' 2000 ',
        CHECK_TIMEOUT_MS: '300',
      }),
    ).toEqual({ drainDelayMs: 0, drainTimeoutMs: 15_000, hookTimeoutMs: 2000, checkTimeoutMs: 300 });
  });

  it('leaves unset and empty variables out, so the defaults apply', () => {
    expect(optionsFromEnv({ DRAIN_DELAY_MS: '', PATH: '/usr/bin' })).toEqual({});
  });

  it.each(['5s', '-1', '1.5', 'abc', '1e4', '9999999999'])(
    'refuses DRAIN_TIMEOUT_MS=%s with the variable named',
    (raw) => {
      expect(() => optionsFromEnv({ DRAIN_TIMEOUT_MS: raw })).toThrow(
        /^DRAIN_TIMEOUT_MS must be a whole number of milliseconds \(it sets drainTimeoutMs\)/,
      );
    },
  );
});
