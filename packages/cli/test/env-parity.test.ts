import { LameduckConfigError } from '@lameduck/core';
import { createNodeLameduck } from '@lameduck/core/node';
import { describe, expect, it } from 'vitest';
import { cleanYaml, findings } from './helpers.js';

// One table of values, fed to the app (createNodeLameduck reading them as its environment) and to
// the doctor (the same values in the clean manifest's env): both must give the same verdict, and
// the doctor's finding must carry the app's message word for word.

/** The clean manifest's container env, as the app in that pod would see it. */
const CLEAN_ENV: Record<string, string> = Object.fromEntries(
  [...cleanYaml.matchAll(/- name: (\w+)\n\s+value: "([^"]*)"/g)].map((match) => [match[1], match[2]]),
);

/** The clean manifest with `set` applied to its container's env: values replaced in place, new names appended. */
function manifestWith(set: Record<string, string>): string {
  let text = cleanYaml;
  for (const [name, value] of Object.entries(set)) {
    const entry = new RegExp(`(- name: ${name}\\n\\s+value: )"[^"]*"`);
    text = entry.test(text)
      ? text.replace(entry, `$1${JSON.stringify(value)}`)
      : text.replace(
          '          env:\n',
          `          env:\n            - name: ${name}\n              value: ${JSON.stringify(value)}\n`,
        );
  }
  return text;
}

type Verdict = { refused: string } | { warnings: string[] };

/** What the app does at startup with the manifest's env: the message it refuses with, or the warnings it logs about its variables. */
function appVerdict(set: Record<string, string>): Verdict {
  const warnings: string[] = [];
  const logger = {
    info() {},
    warn: (line: string) => warnings.push(line.replace(/^\[lameduck\] /, '')),
    error() {},
  };
  try {
    const lameduck = createNodeLameduck({
      env: { ...CLEAN_ENV, KUBERNETES_SERVICE_HOST: '10.96.0.1', ...set },
      signals: false,
      logger,
    });
    lameduck.dispose();
  } catch (error) {
    if (!(error instanceof LameduckConfigError)) throw error;
    return { refused: error.message };
  }
  // Only the warnings about names: a fitted budget's line is grace-period-too-short's business.
  return { warnings: warnings.filter((line) => line.includes('is not a variable lameduck reads')) };
}

function doctorVerdict(set: Record<string, string>): Verdict {
  const all = findings(manifestWith(set));
  const refused = all.filter((finding) => finding.rule === 'env-value-refused');
  expect(refused.length).toBeLessThanOrEqual(1);
  if (refused[0]) return { refused: refused[0].message };
  return {
    warnings: all
      .filter((finding) => finding.rule === 'env-variable-ignored')
      .map((finding) => finding.message),
  };
}

const RANGE_MS = 'from 0 to 86400000';
const notWhole = (variable: string, got: string, fix: string) =>
  `${variable} must be a whole number of milliseconds ${RANGE_MS}, got "${got}"; ${fix}`;
const outOfRange = (variable: string, range: string, got: string, example: number) =>
  `${variable} is out of range ${range} (milliseconds), got "${got}"; for example ${variable}=${example}`;
const GRACE = 'TERMINATION_GRACE_PERIOD_SECONDS';
const GRACE_NOTE = "the pod's terminationGracePeriodSeconds minus any preStop sleep";
const T = 'LAMEDUCK_DRAIN_TIMEOUT_MS';
const noUnit = (variable: string, value: number) =>
  `write it in milliseconds, without a unit: ${variable}=${value}`;
const digits = (variable: string, value: number) => `write it in decimal digits alone: ${variable}=${value}`;

const TABLE: [name: string, value: string, verdict: Verdict][] = [
  [T, '20000', { warnings: [] }],
  [T, ' 20000', { warnings: [] }],
  [T, '020000', { warnings: [] }],
  [T, '0', { warnings: [] }],
  [T, '', { warnings: [] }],
  [T, '20s', { refused: notWhole(T, '20s', noUnit(T, 20_000)) }],
  [T, '5000ms', { refused: notWhole(T, '5000ms', noUnit(T, 5000)) }],
  [T, '0x4e20', { refused: notWhole(T, '0x4e20', digits(T, 20_000)) }],
  [T, '2e4', { refused: notWhole(T, '2e4', digits(T, 20_000)) }],
  [T, '+5', { refused: notWhole(T, '+5', digits(T, 5)) }],
  [T, '20000.5', { refused: notWhole(T, '20000.5', `for example ${T}=20000`) }],
  [T, 'soon', { refused: notWhole(T, 'soon', `for example ${T}=20000`) }],
  [T, '-15000', { refused: outOfRange(T, '0..86400000', '-15000', 20_000) }],
  [T, '9999999999', { refused: outOfRange(T, '0..86400000', '9999999999', 20_000) }],
  [T, '86400001', { refused: outOfRange(T, '0..86400000', '86400001', 20_000) }],
  [
    'LAMEDUCK_DRAIN_DELAY_MS',
    '-15000',
    { refused: outOfRange('LAMEDUCK_DRAIN_DELAY_MS', '0..86400000', '-15000', 0) },
  ],
  ['LAMEDUCK_DRAIN_DELAY_MS', '-0', { warnings: [] }],
  [
    'LAMEDUCK_HOOK_TIMEOUT_MS',
    '0',
    { refused: outOfRange('LAMEDUCK_HOOK_TIMEOUT_MS', '1..86400000', '0', 5000) },
  ],
  ['LAMEDUCK_HOOK_TIMEOUT_MS', '1', { warnings: [] }],
  ['LAMEDUCK_CHECK_TIMEOUT_MS', '300000', { warnings: [] }],
  [
    'LAMEDUCK_CHECK_TIMEOUT_MS',
    '300001',
    { refused: outOfRange('LAMEDUCK_CHECK_TIMEOUT_MS', '1..300000', '300001', 500) },
  ],
  [
    'LAMEDUCK_CHECK_TIMEOUT_MS',
    '2e4',
    {
      refused: `LAMEDUCK_CHECK_TIMEOUT_MS must be a whole number of milliseconds from 1 to 300000, got "2e4"; ${digits('LAMEDUCK_CHECK_TIMEOUT_MS', 20_000)}`,
    },
  ],
  [
    'LAMEDUCK_CLEANUP_TIMEOUT_MS',
    '5s',
    { refused: notWhole('LAMEDUCK_CLEANUP_TIMEOUT_MS', '5s', noUnit('LAMEDUCK_CLEANUP_TIMEOUT_MS', 5000)) },
  ],
  [
    'LAMEDUCK_IDLE_GRACE_MS',
    '1e3',
    { refused: notWhole('LAMEDUCK_IDLE_GRACE_MS', '1e3', digits('LAMEDUCK_IDLE_GRACE_MS', 1000)) },
  ],
  ['LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS', '65000', { warnings: [] }],
  ['LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS', '0', { warnings: [] }],
  [
    'LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS',
    '500',
    {
      refused:
        "LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS must be 0 (never close idle connections) or 1000 to 2147482647 ms, got 500; set it above the idle timeout of the proxy in front (65000 is above ingress-nginx's and AWS ALB's 60 s)",
    },
  ],
  [GRACE, '30', { warnings: [] }],
  [GRACE, '86400', { warnings: [] }],
  [
    GRACE,
    '100000',
    {
      refused: `${GRACE} is out of range 0..86400 (seconds, ${GRACE_NOTE}), got "100000"; for example ${GRACE}=30`,
    },
  ],
  [
    GRACE,
    '86401',
    {
      refused: `${GRACE} is out of range 0..86400 (seconds, ${GRACE_NOTE}), got "86401"; for example ${GRACE}=30`,
    },
  ],
  [
    GRACE,
    '-5',
    {
      refused: `${GRACE} is out of range 0..86400 (seconds, ${GRACE_NOTE}), got "-5"; for example ${GRACE}=30`,
    },
  ],
  [
    GRACE,
    '30s',
    {
      refused: `${GRACE} must be a whole number of seconds from 0 to 86400, ${GRACE_NOTE}, got "30s"; write it in seconds, without a unit: ${GRACE}=30`,
    },
  ],
  ['LAMEDUCK_BUDGET', 'refuse', { warnings: [] }],
  ['LAMEDUCK_PROBE_DETAIL', 'status', { warnings: [] }],
  [
    'LAMEDUCK_PROBE_DETAIL',
    'verbose',
    {
      refused:
        "LAMEDUCK_PROBE_DETAIL must be 'status' (the status line alone: for a port the public can reach), 'names' (check names and ok/failed) or 'full' (durations, timestamps and the state too), got \"verbose\"; for example LAMEDUCK_PROBE_DETAIL=status",
    },
  ],
  [
    'LAMEDUCK_BUDGET',
    'never',
    {
      refused: `LAMEDUCK_BUDGET must be 'fit' (start anyway, shortening the drain to fit the grace period) or 'refuse' (throw at startup), got "never"; for example LAMEDUCK_BUDGET=refuse`,
    },
  ],
  [
    'LAMEDUCK_DRAIN_DELAY',
    '5000',
    {
      warnings: [
        'LAMEDUCK_DRAIN_DELAY is not a variable lameduck reads, so it is ignored; did you mean LAMEDUCK_DRAIN_DELAY_MS? Rename it in the manifest',
      ],
    },
  ],
  [
    'lameduck_drain_timeout_ms',
    '15000',
    {
      warnings: [
        'lameduck_drain_timeout_ms is not a variable lameduck reads (names are case-sensitive), so it is ignored; did you mean LAMEDUCK_DRAIN_TIMEOUT_MS? Rename it in the manifest',
      ],
    },
  ],
  [
    'TERMINATION_GRACE_PERIOD_SECOND',
    '30',
    {
      warnings: [
        'TERMINATION_GRACE_PERIOD_SECOND is not a variable lameduck reads, so it is ignored; did you mean TERMINATION_GRACE_PERIOD_SECONDS? Rename it in the manifest',
      ],
    },
  ],
];

describe('the app and the doctor read the environment the same way', () => {
  it.each(TABLE)('%s=%j', (name, value, verdict) => {
    expect(appVerdict({ [name]: value })).toEqual(verdict);
    expect(doctorVerdict({ [name]: value })).toEqual(verdict);
  });

  it('a grace period the shutdown cannot fit, with LAMEDUCK_BUDGET=refuse: both refuse, with the same line', () => {
    const set = { [GRACE]: '20', LAMEDUCK_BUDGET: 'refuse' };
    const app = appVerdict(set);
    expect(app).toEqual({
      refused: expect.stringMatching(
        /^the shutdown can take up to 25350 ms \(drain delay 0 \+ drain timeout 20000 \+ lameduck's own waits 350 \+ cleanup 5000 ms\), which with 1000 ms of headroom does not fit the grace period of 20000 ms \(TERMINATION_GRACE_PERIOD_SECONDS=20\)/,
      ),
    });
    expect(doctorVerdict(set)).toEqual(app);
    // Without refuse the app starts, fitted: no refusal in either.
    expect(appVerdict({ [GRACE]: '20' })).toEqual({ warnings: [] });
    expect(doctorVerdict({ [GRACE]: '20' })).toEqual({ warnings: [] });
  });
});
