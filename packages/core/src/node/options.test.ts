import { describe, expect, it } from 'vitest';
import { LameduckConfigError } from '../index.js';
import { resolveNodeOptions } from './options.js';

const resolve = (options: Record<string, unknown>, env: Record<string, string> = {}) =>
  resolveNodeOptions(options, env).settings;

describe('resolveNodeOptions', () => {
  it('defaults for a process outside Kubernetes: no drain delay', () => {
    expect(resolve({})).toEqual({
      drainDelayMs: 0,
      drainDelaySource: 'default',
      drainTimeoutMs: 20_000,
      hookTimeoutMs: 5_000,
      cleanupTimeoutMs: 5_000,
      budget: 'refuse',
      signals: ['SIGTERM', 'SIGINT'],
      exitOnSignal: 'code',
      onUncaughtException: 'exit',
      idleGraceMs: 1_000,
      quietWindowMs: 1_000,
      keepAliveTimeoutMs: 65_000,
      keepAliveTimeoutSource: 'default',
      webSocketCloseSpreadMs: 5_000,
    });
  });

  it('a 5000 ms drain delay when KUBERNETES_SERVICE_HOST is set, unless one is given', () => {
    expect(resolve({}, { KUBERNETES_SERVICE_HOST: '10.0.0.1' })).toMatchObject({
      drainDelayMs: 5000,
      drainDelaySource: 'kubernetes',
    });
    expect(resolve({ drainDelayMs: 0 }, { KUBERNETES_SERVICE_HOST: '10.0.0.1' })).toMatchObject({
      drainDelayMs: 0,
      drainDelaySource: 'option',
    });
  });

  it('passes the core options through and keeps the node ones', () => {
    const { core } = resolveNodeOptions({ logger: false, prefix: '/health', drainTimeoutMs: 10 }, {});
    expect(core).toEqual({ logger: false, prefix: '/health' });
  });

  it.each([
    ['drainDelayMs', -1, /drainDelayMs must be between 0 and 86400000 ms, got -1/],
    ['drainTimeoutMs', Number.NaN, /drainTimeoutMs must be a number of milliseconds, got number NaN/],
    ['drainTimeoutMs', '20s', /drainTimeoutMs must be a number of milliseconds, got the string "20s"/],
    ['hookTimeoutMs', 0, /hookTimeoutMs must be between 1 and/],
    ['hookTimeoutMs', Number.POSITIVE_INFINITY, /hookTimeoutMs must be a number/],
    ['gracePeriodMs', -30, /gracePeriodMs must be between 1 and/],
    ['signals', 'SIGTERM', /signals must be a list like \['SIGTERM', 'SIGINT'\] or false/],
    ['signals', ['SIGTERM', 'SIGNOPE'], /"SIGNOPE" is not a signal name/],
    ['signals', ['SIGKILL'], /SIGKILL cannot be caught/],
    ['exitOnSignal', 'yes', /exitOnSignal must be true, false or 'reraise'/],
    [
      'onUncaughtException',
      'log',
      /onUncaughtException must be 'exit' \(Node's default\) or 'drain', got the string "log"/,
    ],
  ])('%s: %o is refused with a clear message', (name, value, message) => {
    expect(() => resolve({ [name]: value })).toThrow(LameduckConfigError);
    expect(() => resolve({ [name]: value })).toThrow(message);
  });

  it('refuses options that are not an object', () => {
    expect(() => resolveNodeOptions(null as never, {})).toThrow(/options must be an object, got null/);
  });

  it('signals: false or [] listens for none; duplicates collapse', () => {
    expect(resolve({ signals: false }).signals).toEqual([]);
    expect(resolve({ signals: [] }).signals).toEqual([]);
    expect(resolve({ signals: ['SIGTERM', 'SIGTERM', 'SIGHUP'] }).signals).toEqual(['SIGTERM', 'SIGHUP']);
  });

  it('exitOnSignal: true, false, reraise', () => {
    expect(resolve({ exitOnSignal: true }).exitOnSignal).toBe('code');
    expect(resolve({ exitOnSignal: false }).exitOnSignal).toBe(false);
    expect(resolve({ exitOnSignal: 'reraise' }).exitOnSignal).toBe('reraise');
  });

  it('reads the grace period from TERMINATION_GRACE_PERIOD_SECONDS; the manifest wins over the code', () => {
    expect(resolve({}, { TERMINATION_GRACE_PERIOD_SECONDS: '45' })).toMatchObject({
      gracePeriodMs: 45_000,
      gracePeriodSource: 'TERMINATION_GRACE_PERIOD_SECONDS=45',
    });
    expect(resolve({ gracePeriodMs: 60_000 }, { TERMINATION_GRACE_PERIOD_SECONDS: '45' })).toMatchObject({
      gracePeriodMs: 45_000,
      gracePeriodSource: 'TERMINATION_GRACE_PERIOD_SECONDS=45',
    });
    expect(resolve({ gracePeriodMs: 60_000 })).toMatchObject({
      gracePeriodMs: 60_000,
      gracePeriodSource: 'gracePeriodMs: 60000',
    });
    expect(resolve({}, { TERMINATION_GRACE_PERIOD_SECONDS: '' })).not.toHaveProperty('gracePeriodMs');
  });

  it.each([
    ['30s', /^TERMINATION_GRACE_PERIOD_SECONDS must be a whole number of seconds from 0 to 86400, .*=30$/],
    ['1.5', /^TERMINATION_GRACE_PERIOD_SECONDS must be a whole number of seconds from 0 to 86400, /],
    ['thirty', /^TERMINATION_GRACE_PERIOD_SECONDS must be a whole number of seconds from 0 to 86400, /],
    ['-5', /^TERMINATION_GRACE_PERIOD_SECONDS is out of range 0\.\.86400 \(seconds, /],
    ['100000', /^TERMINATION_GRACE_PERIOD_SECONDS is out of range 0\.\.86400 \(seconds, /],
  ])('refuses TERMINATION_GRACE_PERIOD_SECONDS=%s', (value, message) => {
    expect(() => resolve({}, { TERMINATION_GRACE_PERIOD_SECONDS: value })).toThrow(message);
  });

  describe('the environment configures the drain (precedence: environment, code, default)', () => {
    const manifest = {
      KUBERNETES_SERVICE_HOST: '10.0.0.1',
      LAMEDUCK_DRAIN_DELAY_MS: '0',
      LAMEDUCK_DRAIN_TIMEOUT_MS: '15000',
      LAMEDUCK_HOOK_TIMEOUT_MS: '2000',
      LAMEDUCK_CHECK_TIMEOUT_MS: '300',
    };

    it('reads every LAMEDUCK_ variable by default, with no code', () => {
      const { core, settings } = resolveNodeOptions({}, manifest);
      expect(settings).toMatchObject({
        drainDelayMs: 0,
        drainDelaySource: 'environment',
        drainTimeoutMs: 15_000,
        hookTimeoutMs: 2000,
      });
      expect(core).toEqual({ checkTimeoutMs: 300 });
    });

    it('a variable that is set wins over the option in code', () => {
      const { core, settings } = resolveNodeOptions(
        { drainDelayMs: 3000, drainTimeoutMs: 1000, checkTimeoutMs: 900 },
        manifest,
      );
      expect(settings).toMatchObject({ drainDelayMs: 0, drainTimeoutMs: 15_000 });
      expect(core).toEqual({ checkTimeoutMs: 300 });
    });

    it('the option in code wins over the default when the variable is unset', () => {
      expect(resolve({ drainDelayMs: 3000 }, { KUBERNETES_SERVICE_HOST: '10.0.0.1' })).toMatchObject({
        drainDelayMs: 3000,
        drainDelaySource: 'option',
      });
    });

    it('env: false reads nothing, not even KUBERNETES_SERVICE_HOST', () => {
      expect(resolve({ env: false }, manifest)).toMatchObject({
        drainDelayMs: 0,
        drainDelaySource: 'default',
        drainTimeoutMs: 20_000,
      });
    });

    it('env: an object is read instead of the process environment', () => {
      expect(resolve({ env: { LAMEDUCK_DRAIN_DELAY_MS: '1234' } }, manifest)).toMatchObject({
        drainDelayMs: 1234,
        drainDelaySource: 'environment',
        drainTimeoutMs: 20_000,
      });
    });

    it('refuses an env option that is neither a boolean nor an object', () => {
      expect(() => resolve({ env: 'yes' })).toThrow(
        /^env must be true \(read process.env\), false \(read nothing\) or an object of variables, got the string "yes"$/,
      );
    });

    it('names the variable, not the option, when the environment holds an unusable value', () => {
      expect(() => resolve({}, { LAMEDUCK_DRAIN_DELAY_MS: '90000000' })).toThrow(
        /^LAMEDUCK_DRAIN_DELAY_MS is out of range 0\.\.86400000 \(milliseconds\), got "90000000"/,
      );
      // The check timeout's own range, named by the variable rather than the option it sets.
      expect(() => resolve({}, { LAMEDUCK_CHECK_TIMEOUT_MS: '600000' })).toThrow(
        /^LAMEDUCK_CHECK_TIMEOUT_MS is out of range 1\.\.300000 \(milliseconds\), got "600000"/,
      );
    });

    it('reads LAMEDUCK_PROBE_DETAIL into the model over the option in code, and refuses another word', () => {
      expect(
        resolveNodeOptions({ probeDetail: 'full' }, { LAMEDUCK_PROBE_DETAIL: 'status' }).core.probeDetail,
      ).toBe('status');
      expect(resolveNodeOptions({ probeDetail: 'full' }, {}).core.probeDetail).toBe('full');
      expect(() => resolveNodeOptions({}, { LAMEDUCK_PROBE_DETAIL: 'none' })).toThrow(
        /^LAMEDUCK_PROBE_DETAIL must be 'status'/,
      );
    });

    it('warns about a LAMEDUCK_ name it does not read, naming the closest one', () => {
      const { settings, warnings } = resolveNodeOptions(
        {},
        { LAMEDUCK_DRAIN_DELAY: '0', KUBERNETES_SERVICE_HOST: 'x' },
      );
      expect(settings.drainDelayMs).toBe(5000);
      expect(warnings).toEqual([
        'LAMEDUCK_DRAIN_DELAY is not a variable lameduck reads, so it is ignored; did you mean LAMEDUCK_DRAIN_DELAY_MS? Rename it in the manifest',
      ]);
    });

    it('warns about a variable of lameduck 0.1 that is no longer read', () => {
      const { settings, warnings } = resolveNodeOptions(
        {},
        { DRAIN_DELAY_MS: '0', KUBERNETES_SERVICE_HOST: 'x' },
      );
      expect(settings.drainDelayMs).toBe(5000);
      expect(warnings).toEqual([
        'DRAIN_DELAY_MS is set but lameduck reads LAMEDUCK_DRAIN_DELAY_MS; rename it in the manifest',
      ]);
    });
  });
});
