import { describe, expect, it } from 'vitest';
import { ENVIRONMENT } from './environment.js';
import {
  inspectEnvironment,
  parseEnvironmentValue,
  parseGracePeriodSeconds,
  readEnvironment,
  unknownVariables,
} from './environment-parse.js';
import { LameduckConfigError } from './errors.js';

const TIMEOUT = 'LAMEDUCK_DRAIN_TIMEOUT_MS';
const notWhole = (got: string, fix: string) =>
  `${TIMEOUT} must be a whole number of milliseconds from 0 to 86400000, got "${got}"; ${fix}`;
const outOfRange = (got: string) =>
  `${TIMEOUT} is out of range 0..86400000 (milliseconds), got "${got}"; for example ${TIMEOUT}=20000`;

describe('parseEnvironmentValue', () => {
  it.each([
    ['20000', 20_000],
    [' 20000', 20_000],
    ['20000 ', 20_000],
    ['020000', 20_000],
    ['0', 0],
    ['86400000', 86_400_000],
  ])('accepts %j as %d', (raw, value) => {
    expect(parseEnvironmentValue('drainTimeoutMs', raw)).toEqual({ ok: true, value });
  });

  it.each([undefined, '', '   '])('leaves %j unset: the default applies', (raw) => {
    expect(parseEnvironmentValue('drainTimeoutMs', raw)).toEqual({ ok: true, value: undefined });
  });

  it.each([
    ['20s', notWhole('20s', `write it in milliseconds, without a unit: ${TIMEOUT}=20000`)],
    ['5000ms', notWhole('5000ms', `write it in milliseconds, without a unit: ${TIMEOUT}=5000`)],
    ['1.5m', notWhole('1.5m', `write it in milliseconds, without a unit: ${TIMEOUT}=90000`)],
    ['0x4e20', notWhole('0x4e20', `write it in decimal digits alone: ${TIMEOUT}=20000`)],
    ['2e4', notWhole('2e4', `write it in decimal digits alone: ${TIMEOUT}=20000`)],
    ['+5', notWhole('+5', `write it in decimal digits alone: ${TIMEOUT}=5`)],
    ['20000.5', notWhole('20000.5', `for example ${TIMEOUT}=20000`)],
    ['soon', notWhole('soon', `for example ${TIMEOUT}=20000`)],
    ['-15000', outOfRange('-15000')],
    ['9999999999', outOfRange('9999999999')],
    ['86400001', outOfRange('86400001')],
    ['99999999999999999999999', outOfRange('99999999999999999999999')],
  ])('refuses %j, naming the variable, the value, the range and the fix', (raw, message) => {
    expect(parseEnvironmentValue('drainTimeoutMs', raw)).toEqual({ ok: false, message });
  });

  it('states each row’s own range: a hook of 0 ms and a check of ten minutes are refused', () => {
    expect(parseEnvironmentValue('hookTimeoutMs', '0')).toEqual({
      ok: false,
      message:
        'LAMEDUCK_HOOK_TIMEOUT_MS is out of range 1..86400000 (milliseconds), got "0"; for example LAMEDUCK_HOOK_TIMEOUT_MS=5000',
    });
    expect(parseEnvironmentValue('checkTimeoutMs', '600000')).toEqual({
      ok: false,
      message:
        'LAMEDUCK_CHECK_TIMEOUT_MS is out of range 1..300000 (milliseconds), got "600000"; for example LAMEDUCK_CHECK_TIMEOUT_MS=500',
    });
    expect(parseEnvironmentValue('checkTimeoutMs', '300000')).toEqual({ ok: true, value: 300_000 });
  });

  it('cuts a long value to 40 characters in the message', () => {
    const parsed = parseEnvironmentValue('drainDelayMs', 'x'.repeat(100));
    expect(parsed.ok ? '' : parsed.message).toContain(`got "${'x'.repeat(40)}..."`);
  });

  it('every row has a range that holds its default', () => {
    for (const row of Object.values(ENVIRONMENT)) {
      expect(row.minMs).toBeLessThanOrEqual(row.defaultMs);
      expect(row.defaultMs).toBeLessThanOrEqual(row.maxMs);
    }
  });
});

describe('parseGracePeriodSeconds', () => {
  const GRACE = 'TERMINATION_GRACE_PERIOD_SECONDS';
  const note = "the pod's terminationGracePeriodSeconds minus any preStop sleep";

  it.each([
    ['30', 30],
    [' 30 ', 30],
    ['0', 0],
    ['86400', 86_400],
  ])('accepts %j', (raw, value) => {
    expect(parseGracePeriodSeconds(raw)).toEqual({ ok: true, value });
  });

  it.each([
    ['100000', `${GRACE} is out of range 0..86400 (seconds, ${note}), got "100000"; for example ${GRACE}=30`],
    ['86401', `${GRACE} is out of range 0..86400 (seconds, ${note}), got "86401"; for example ${GRACE}=30`],
    ['-1', `${GRACE} is out of range 0..86400 (seconds, ${note}), got "-1"; for example ${GRACE}=30`],
    [
      '30s',
      `${GRACE} must be a whole number of seconds from 0 to 86400, ${note}, got "30s"; write it in seconds, without a unit: ${GRACE}=30`,
    ],
    [
      '1m',
      `${GRACE} must be a whole number of seconds from 0 to 86400, ${note}, got "1m"; write it in seconds, without a unit: ${GRACE}=60`,
    ],
    [
      '2.5',
      `${GRACE} must be a whole number of seconds from 0 to 86400, ${note}, got "2.5"; for example ${GRACE}=30`,
    ],
  ])('refuses %j', (raw, message) => {
    expect(parseGracePeriodSeconds(raw)).toEqual({ ok: false, message });
  });
});

describe('readEnvironment', () => {
  it('returns what is set, leaving unset and empty variables out', () => {
    const env: Record<string, string> = { LAMEDUCK_DRAIN_DELAY_MS: '0', LAMEDUCK_CHECK_TIMEOUT_MS: '' };
    expect(readEnvironment((name) => env[name])).toEqual({ drainDelayMs: 0 });
  });

  it('throws the parser’s message as a LameduckConfigError', () => {
    const env: Record<string, string> = { [TIMEOUT]: '20s' };
    expect(() => readEnvironment((name) => env[name])).toThrow(LameduckConfigError);
    expect(() => readEnvironment((name) => env[name])).toThrow(
      notWhole('20s', `write it in milliseconds, without a unit: ${TIMEOUT}=20000`),
    );
  });
});

describe('inspectEnvironment', () => {
  const inspect = (env: Record<string, string>) => inspectEnvironment((name) => env[name]);

  it('gives every verdict, where the app stops at the first', () => {
    const inspection = inspect({
      LAMEDUCK_DRAIN_DELAY_MS: '-15000',
      [TIMEOUT]: '15000',
      LAMEDUCK_CHECK_TIMEOUT_MS: '2e4',
      TERMINATION_GRACE_PERIOD_SECONDS: '100000',
      LAMEDUCK_BUDGET: 'never',
    });
    expect(inspection.verdicts.map((v) => [v.variable, v.message === undefined])).toEqual([
      ['LAMEDUCK_DRAIN_DELAY_MS', false],
      [TIMEOUT, true],
      ['LAMEDUCK_CHECK_TIMEOUT_MS', false],
      ['TERMINATION_GRACE_PERIOD_SECONDS', false],
      ['LAMEDUCK_BUDGET', false],
    ]);
    // A refused drain delay is not a number the budget counts.
    expect(inspection.settings).toEqual({ drainTimeoutMs: 15_000 });
    expect(inspection.verdicts[4]?.message).toMatch(/^LAMEDUCK_BUDGET must be 'fit'/);
  });

  it('says the app refuses to start when the budget does not fit and LAMEDUCK_BUDGET=refuse', () => {
    const refused = inspect({
      TERMINATION_GRACE_PERIOD_SECONDS: '20',
      LAMEDUCK_BUDGET: 'refuse',
      KUBERNETES_SERVICE_HOST: '10.0.0.1',
    });
    expect(refused.budgetRefusal).toMatch(
      /^the shutdown can take up to 30350 ms \(drain delay 5000 \+ drain timeout 20000 .* \(TERMINATION_GRACE_PERIOD_SECONDS=20\)/,
    );
    // Fitting is the default for an environment-given grace period: the app starts.
    expect(inspect({ TERMINATION_GRACE_PERIOD_SECONDS: '20' }).budgetRefusal).toBeUndefined();
    expect(
      inspect({ TERMINATION_GRACE_PERIOD_SECONDS: '40', LAMEDUCK_BUDGET: 'refuse' }).budgetRefusal,
    ).toBeUndefined();
  });
});

describe('unknownVariables', () => {
  it.each([
    ['LAMEDUCK_DRAIN_DELAY', 'LAMEDUCK_DRAIN_DELAY_MS', ''],
    ['lameduck_drain_delay_ms', 'LAMEDUCK_DRAIN_DELAY_MS', ' (names are case-sensitive)'],
    ['LAMEDUCK_DRAINTIMEOUT_MS', 'LAMEDUCK_DRAIN_TIMEOUT_MS', ''],
    ['LAMEDUCK_BUDJET', 'LAMEDUCK_BUDGET', ''],
    ['TERMINATION_GRACE_PERIOD_SECOND', 'TERMINATION_GRACE_PERIOD_SECONDS', ''],
  ])('warns about %s, naming %s', (name, closest, note) => {
    expect(unknownVariables([name])).toEqual([
      {
        name,
        closest,
        message: `${name} is not a variable lameduck reads${note}, so it is ignored; did you mean ${closest}? Rename it in the manifest`,
      },
    ]);
  });

  it('says nothing about known names, 0.1 names (their own warning) or other variables', () => {
    expect(
      unknownVariables([
        'LAMEDUCK_DRAIN_DELAY_MS',
        'LAMEDUCK_BUDGET',
        'TERMINATION_GRACE_PERIOD_SECONDS',
        'DRAIN_DELAY_MS',
        'PATH',
        'KUBERNETES_SERVICE_HOST',
        'NODE_ENV',
      ]),
    ).toEqual([]);
  });
});

describe('the core README', () => {
  it('states each variable’s accepted range as the parser has it', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const row of Object.values(ENVIRONMENT)) {
      expect(readme).toMatch(
        new RegExp(`^\\| \`${row.variable}\` \\|.*\\| \`${row.minMs}\`\\.\\.\`${row.maxMs}\` \\|$`, 'm'),
      );
    }
    expect(readme).toContain(
      '| `TERMINATION_GRACE_PERIOD_SECONDS` | `gracePeriodMs` (× 1000) | unknown: no budget check | `0`..`86400` (seconds) |',
    );
  });
});

describe('LAMEDUCK_PROBE_DETAIL', () => {
  it('is a known name, and inspectEnvironment gives its verdict', () => {
    expect(unknownVariables(['LAMEDUCK_PROBE_DETAIL'])).toEqual([]);
    const inspection = inspectEnvironment((name) =>
      name === 'LAMEDUCK_PROBE_DETAIL' ? 'verbose' : undefined,
    );
    expect(inspection.verdicts).toEqual([
      {
        variable: 'LAMEDUCK_PROBE_DETAIL',
        raw: 'verbose',
        message: expect.stringMatching(
          /^LAMEDUCK_PROBE_DETAIL must be 'status' .* got "verbose"; for example LAMEDUCK_PROBE_DETAIL=status$/,
        ),
      },
    ]);
  });
});
