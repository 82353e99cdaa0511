import { LameduckConfigError } from '@lameduck/core';
import { describe, expect, it } from 'vitest';
import { portFromEnv, resolveRuntimeOptions } from './options.js';

describe('resolveRuntimeOptions', () => {
  it('reads LAMEDUCK_PROBE_DETAIL into the model as on Node, and refuses another word', () => {
    const env = (name: string) => (name === 'LAMEDUCK_PROBE_DETAIL' ? 'status' : undefined);
    expect(resolveRuntimeOptions({ probeDetail: 'full' }, env).model.probeDetail).toBe('status');
    expect(() =>
      resolveRuntimeOptions({}, (name) => (name === 'LAMEDUCK_PROBE_DETAIL' ? 'all' : undefined)),
    ).toThrow(/^LAMEDUCK_PROBE_DETAIL must be 'status'/);
  });

  it('applies the Node adapters’ defaults, with the 5 s drain delay only in Kubernetes', () => {
    expect(resolveRuntimeOptions({}, () => undefined).settings).toEqual({
      drainDelayMs: 0,
      drainTimeoutMs: 20_000,
      hookTimeoutMs: 5_000,
      cleanupTimeoutMs: 5_000,
      signals: ['SIGTERM', 'SIGINT'],
      exitOnSignal: true,
    });
    expect(
      resolveRuntimeOptions({}, (name) => (name === 'KUBERNETES_SERVICE_HOST' ? '10.0.0.1' : undefined))
        .settings.drainDelayMs,
    ).toBe(5_000);
    expect(resolveRuntimeOptions({ signals: false, prefix: '/health' }, () => undefined)).toMatchObject({
      model: { prefix: '/health' },
      settings: { signals: [] },
    });
  });

  it.each([
    [{ drainTimeoutMs: -1 }, 'drainTimeoutMs must be between 0 and 86400000 ms, got -1'],
    [{ drainDelayMs: '5s' }, 'drainDelayMs must be a number of milliseconds, got the string "5s"'],
    [{ drainDelay: 5 }, 'unknown option "drainDelay" for createLameduck; known options: logger,'],
    [{ signals: ['SIGKILL'] }, 'signals must be false or a list of SIGTERM, SIGINT, SIGHUP'],
    [{ exitOnSignal: 'yes' }, 'exitOnSignal must be true or false'],
  ])('refuses %o in one line', (options, message) => {
    expect(() => resolveRuntimeOptions(options as never, () => undefined)).toThrow(LameduckConfigError);
    expect(() => resolveRuntimeOptions(options as never, () => undefined)).toThrow(message);
  });

  it('reads PORT, refusing a bad one', () => {
    expect(portFromEnv(undefined)).toBe(8080);
    expect(portFromEnv('0')).toBe(0);
    expect(() => portFromEnv('http')).toThrow('PORT must be an integer from 0 to 65535, got "http"');
  });
});

describe('resolveRuntimeOptions reads the deployment like the Node adapters', () => {
  const manifest: Record<string, string> = {
    KUBERNETES_SERVICE_HOST: '10.0.0.1',
    LAMEDUCK_DRAIN_DELAY_MS: '0',
    LAMEDUCK_DRAIN_TIMEOUT_MS: '15000',
    LAMEDUCK_CHECK_TIMEOUT_MS: '300',
  };
  const env = (name: string) => manifest[name];

  it('a LAMEDUCK_ variable that is set wins over the code, and the check timeout reaches the model', () => {
    const { model, settings } = resolveRuntimeOptions({ drainDelayMs: 3000, drainTimeoutMs: 1000 }, env);
    expect(settings).toMatchObject({ drainDelayMs: 0, drainTimeoutMs: 15_000, hookTimeoutMs: 5_000 });
    expect(model).toEqual({ checkTimeoutMs: 300 });
  });

  it('env: false reads nothing, not even KUBERNETES_SERVICE_HOST', () => {
    expect(resolveRuntimeOptions({ env: false }, env).settings).toMatchObject({
      drainDelayMs: 0,
      drainTimeoutMs: 20_000,
    });
  });

  it('names the variable of an unusable value', () => {
    expect(() =>
      resolveRuntimeOptions({}, (name) => (name === 'LAMEDUCK_DRAIN_TIMEOUT_MS' ? 'soon' : undefined)),
    ).toThrow(/^LAMEDUCK_DRAIN_TIMEOUT_MS must be a whole number of milliseconds/);
  });
});
