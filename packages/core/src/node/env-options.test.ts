import { describe, expect, it } from 'vitest';
import { legacyVariablesSet, optionsFromEnv } from './env-options.js';

describe('optionsFromEnv', () => {
  it('maps each variable to its option', () => {
    expect(
      optionsFromEnv({
        LAMEDUCK_DRAIN_DELAY_MS: '0',
        LAMEDUCK_DRAIN_TIMEOUT_MS: '15000',
        LAMEDUCK_HOOK_TIMEOUT_MS: ' 2000 ',
        LAMEDUCK_CHECK_TIMEOUT_MS: '300',
      }),
    ).toEqual({ drainDelayMs: 0, drainTimeoutMs: 15_000, hookTimeoutMs: 2000, checkTimeoutMs: 300 });
  });

  it('leaves unset and empty variables out, so the defaults apply', () => {
    expect(optionsFromEnv({ LAMEDUCK_DRAIN_DELAY_MS: '', PATH: '/usr/bin' })).toEqual({});
  });

  it('reads no unprefixed name: an app may use DRAIN_DELAY_MS for itself', () => {
    expect(optionsFromEnv({ DRAIN_DELAY_MS: '7', DRAIN_TIMEOUT_MS: 'soon' })).toEqual({});
  });

  it.each(['5s', '-1', '1.5', 'abc', '1e4', '9999999999'])(
    'refuses LAMEDUCK_DRAIN_TIMEOUT_MS=%s with the variable named',
    (raw) => {
      expect(() => optionsFromEnv({ LAMEDUCK_DRAIN_TIMEOUT_MS: raw })).toThrow(
        /^LAMEDUCK_DRAIN_TIMEOUT_MS (must be a whole number of milliseconds from 0 to 86400000|is out of range 0\.\.86400000 \(milliseconds\)), got "[^"]*"; /,
      );
    },
  );
});

describe('legacyVariablesSet', () => {
  it('names a 0.1 variable set without its LAMEDUCK_ spelling, and the fix', () => {
    expect(legacyVariablesSet({ DRAIN_DELAY_MS: '0' })).toEqual([
      'DRAIN_DELAY_MS is set but lameduck reads LAMEDUCK_DRAIN_DELAY_MS; rename it in the manifest',
    ]);
  });

  it('says nothing when the LAMEDUCK_ spelling is set too, or the old one is empty', () => {
    expect(legacyVariablesSet({ DRAIN_DELAY_MS: '0', LAMEDUCK_DRAIN_DELAY_MS: '0' })).toEqual([]);
    expect(legacyVariablesSet({ HOOK_TIMEOUT_MS: '' })).toEqual([]);
  });
});
