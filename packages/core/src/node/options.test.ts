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
      signals: ['SIGTERM', 'SIGINT'],
      exitOnSignal: 'code',
      idleGraceMs: 1_000,
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

  it('reads the grace period from TERMINATION_GRACE_PERIOD_SECONDS; the option wins', () => {
    expect(resolve({}, { TERMINATION_GRACE_PERIOD_SECONDS: '45' })).toMatchObject({
      gracePeriodMs: 45_000,
      gracePeriodSource: 'TERMINATION_GRACE_PERIOD_SECONDS=45',
    });
    expect(resolve({ gracePeriodMs: 60_000 }, { TERMINATION_GRACE_PERIOD_SECONDS: '45' })).toMatchObject({
      gracePeriodMs: 60_000,
      gracePeriodSource: 'gracePeriodMs: 60000',
    });
    expect(resolve({}, { TERMINATION_GRACE_PERIOD_SECONDS: '' })).not.toHaveProperty('gracePeriodMs');
  });

  it.each(['30s', '-5', '1.5', 'thirty'])('refuses TERMINATION_GRACE_PERIOD_SECONDS=%s', (value) => {
    expect(() => resolve({}, { TERMINATION_GRACE_PERIOD_SECONDS: value })).toThrow(
      /TERMINATION_GRACE_PERIOD_SECONDS must be a whole number of seconds like "30"/,
    );
  });
});
