import { describe, expect, it } from 'vitest';
import { deferred } from '../test/support/manual.js';
import { type CheckFunction, type CheckOptions, CheckRegistry } from './checks.js';
import { silentLogger } from './logger.js';
import { evaluateProbe } from './probe.js';
import { type LifecycleState, StateMachine } from './states.js';

/** A lifecycle, a registry, and counters for how often each check ran. */
function setup() {
  const lifecycle = new StateMachine({ logger: silentLogger });
  const registry = new CheckRegistry({ defaults: { cacheTtlMs: 0 } });
  const calls: Record<string, number> = {};
  const add = (name: string, fn: CheckFunction, options?: CheckOptions) => {
    calls[name] = 0;
    registry.add(
      name,
      (signal) => {
        calls[name] = (calls[name] ?? 0) + 1;
        return fn(signal);
      },
      options,
    );
  };
  const moveTo = (state: LifecycleState) => {
    const steps: Record<LifecycleState, LifecycleState[]> = {
      starting: [],
      ready: ['ready'],
      draining: ['ready', 'draining'],
      closed: ['ready', 'draining', 'closed'],
    };
    for (const step of steps[state]) lifecycle.transition(step, 'test');
  };
  return { lifecycle, registry, calls, add, moveTo };
}

const pass: CheckFunction = async () => {};
const fail: CheckFunction = async () => {
  throw new Error('down');
};

describe('readiness', () => {
  it('fails while starting, even when every check passes', async () => {
    const { lifecycle, registry, add } = setup();
    add('db', pass);
    const report = await evaluateProbe('readiness', lifecycle, registry);
    expect(report).toMatchObject({
      kind: 'readiness',
      status: 'fail',
      state: 'starting',
      stateFailure: 'starting: ready() has not been called yet',
    });
  });

  it('passes when ready and every check passes', async () => {
    const { lifecycle, registry, add, moveTo } = setup();
    add('db', pass);
    add('cache', pass);
    moveTo('ready');
    const report = await evaluateProbe('readiness', lifecycle, registry);
    expect(report.status).toBe('pass');
    expect(report.stateFailure).toBeUndefined();
    expect(report.checks.map((check) => `${check.name}:${check.status}`)).toEqual(['db:pass', 'cache:pass']);
  });

  it('passes when ready with no checks at all', async () => {
    const { lifecycle, registry, moveTo } = setup();
    moveTo('ready');
    expect((await evaluateProbe('readiness', lifecycle, registry)).status).toBe('pass');
  });

  it('fails when ready but a critical check fails', async () => {
    const { lifecycle, registry, add, moveTo } = setup();
    add('db', fail);
    add('cache', pass);
    moveTo('ready');
    const report = await evaluateProbe('readiness', lifecycle, registry);
    expect(report.status).toBe('fail');
    expect(report.stateFailure).toBeUndefined();
  });

  it('warns, and so still passes, when only a non-critical check fails', async () => {
    const { lifecycle, registry, add, moveTo } = setup();
    add('db', pass);
    add('cache', fail, { critical: false });
    moveTo('ready');
    expect((await evaluateProbe('readiness', lifecycle, registry)).status).toBe('warn');
  });

  it('prefers fail over warn', async () => {
    const { lifecycle, registry, add, moveTo } = setup();
    add('cache', fail, { critical: false });
    add('db', fail);
    moveTo('ready');
    expect((await evaluateProbe('readiness', lifecycle, registry)).status).toBe('fail');
  });

  it.each(['draining', 'closed'] as const)(
    'fails at once while %s without running any check',
    async (state) => {
      const { lifecycle, registry, add, calls, moveTo } = setup();
      add('db', pass);
      add('hung', () => new Promise(() => {}));
      moveTo(state);
      const report = await evaluateProbe('readiness', lifecycle, registry);
      expect(report).toEqual({
        kind: 'readiness',
        status: 'fail',
        state,
        stateFailure: `${state}: shutting down`,
        checks: [],
        unknownExcludes: [],
      });
      expect(calls).toEqual({ db: 0, hung: 0 });
    },
  );

  it('answers fail when drain() happens while its checks are still running', async () => {
    const { lifecycle, registry, add, moveTo } = setup();
    const gate = deferred();
    add('db', () => gate.promise);
    moveTo('ready');
    const pending = evaluateProbe('readiness', lifecycle, registry);
    lifecycle.transition('draining', 'SIGTERM');
    gate.resolve();
    const report = await pending;
    expect(report.status).toBe('fail');
    expect(report.state).toBe('draining');
    expect(report.stateFailure).toBe('draining: shutting down');
    expect(report.checks.map((check) => check.status)).toEqual(['pass']);
  });

  it('leaves out readiness checks of other kinds', async () => {
    const { lifecycle, registry, add, calls, moveTo } = setup();
    add('loop', fail, { kind: 'liveness' });
    moveTo('ready');
    const report = await evaluateProbe('readiness', lifecycle, registry);
    expect(report.status).toBe('pass');
    expect(calls.loop).toBe(0);
  });
});

describe('liveness', () => {
  it.each(['starting', 'ready', 'draining', 'closed'] as const)(
    'passes while %s when its checks pass',
    async (state) => {
      const { lifecycle, registry, add, moveTo } = setup();
      add('loop', pass, { kind: 'liveness' });
      moveTo(state);
      const report = await evaluateProbe('liveness', lifecycle, registry);
      expect(report.status).toBe('pass');
      expect(report.stateFailure).toBeUndefined();
      expect(report.state).toBe(state);
    },
  );

  it.each(['starting', 'ready', 'draining', 'closed'] as const)(
    'fails while %s when a critical liveness check fails',
    async (state) => {
      const { lifecycle, registry, add, moveTo } = setup();
      add('loop', fail, { kind: 'liveness' });
      moveTo(state);
      expect((await evaluateProbe('liveness', lifecycle, registry)).status).toBe('fail');
    },
  );

  it('warns when only a non-critical liveness check fails', async () => {
    const { lifecycle, registry, add, moveTo } = setup();
    add('loop', fail, { kind: 'liveness', critical: false });
    moveTo('draining');
    expect((await evaluateProbe('liveness', lifecycle, registry)).status).toBe('warn');
  });

  it('never runs readiness checks, so a dependency outage cannot restart the pod', async () => {
    const { lifecycle, registry, add, calls, moveTo } = setup();
    add('db', fail);
    moveTo('ready');
    const report = await evaluateProbe('liveness', lifecycle, registry);
    expect(report.status).toBe('pass');
    expect(report.checks).toEqual([]);
    expect(calls.db).toBe(0);
  });
});

describe('startup', () => {
  it('fails while starting', async () => {
    const { lifecycle, registry } = setup();
    const report = await evaluateProbe('startup', lifecycle, registry);
    expect(report.status).toBe('fail');
    expect(report.stateFailure).toBe('starting: ready() has not been called yet');
  });

  it('passes after ready()', async () => {
    const { lifecycle, registry, moveTo } = setup();
    moveTo('ready');
    expect((await evaluateProbe('startup', lifecycle, registry)).status).toBe('pass');
  });

  it('keeps passing while draining', async () => {
    const { lifecycle, registry, moveTo } = setup();
    moveTo('draining');
    expect((await evaluateProbe('startup', lifecycle, registry)).status).toBe('pass');
  });

  it('fails after ready() when a critical startup check fails', async () => {
    const { lifecycle, registry, add, moveTo } = setup();
    add('migrations', fail, { kind: 'startup' });
    moveTo('ready');
    expect((await evaluateProbe('startup', lifecycle, registry)).status).toBe('fail');
  });
});

describe('exclude', () => {
  it('leaves an excluded check out without running it', async () => {
    const { lifecycle, registry, add, calls, moveTo } = setup();
    add('db', pass);
    add('flaky', fail);
    moveTo('ready');
    const report = await evaluateProbe('readiness', lifecycle, registry, { exclude: ['flaky'] });
    expect(report.status).toBe('pass');
    expect(report.checks.map((check) => check.name)).toEqual(['db']);
    expect(calls.flaky).toBe(0);
    expect(report.unknownExcludes).toEqual([]);
  });

  it('reports excludes that match no check of the kind', async () => {
    const { lifecycle, registry, add, moveTo } = setup();
    add('db', pass);
    add('loop', pass, { kind: 'liveness' });
    moveTo('ready');
    const report = await evaluateProbe('readiness', lifecycle, registry, { exclude: ['nope', 'loop', 'db'] });
    expect(report.unknownExcludes).toEqual(['nope', 'loop']);
    expect(report.checks).toEqual([]);
  });

  it('reports unknown excludes even while draining', async () => {
    const { lifecycle, registry, moveTo } = setup();
    moveTo('draining');
    const report = await evaluateProbe('readiness', lifecycle, registry, { exclude: ['nope'] });
    expect(report.unknownExcludes).toEqual(['nope']);
  });
});

describe('only', () => {
  it('evaluates one check alone when ready', async () => {
    const { lifecycle, registry, add, calls, moveTo } = setup();
    add('db', pass);
    add('cache', fail);
    moveTo('ready');
    const report = await evaluateProbe('readiness', lifecycle, registry, { only: 'db' });
    expect(report.status).toBe('pass');
    expect(report.stateFailure).toBeUndefined();
    expect(report.checks.map((check) => check.name)).toEqual(['db']);
    expect(calls.cache).toBe(0);
  });

  it('still fails while starting: the state counts for one check too', async () => {
    const { lifecycle, registry, add, calls } = setup();
    add('db', pass);
    const report = await evaluateProbe('readiness', lifecycle, registry, { only: 'db' });
    expect(report.status).toBe('fail');
    expect(report.stateFailure).toMatch(/^starting/);
    expect(calls.db).toBe(1);
  });

  it('fails at once while draining, without running the check', async () => {
    const { lifecycle, registry, add, calls, moveTo } = setup();
    add('db', pass);
    moveTo('draining');
    const report = await evaluateProbe('readiness', lifecycle, registry, { only: 'db' });
    expect(report.status).toBe('fail');
    expect(report.state).toBe('draining');
    expect(calls.db ?? 0).toBe(0);
  });

  it('passes a liveness check alone while draining', async () => {
    const { lifecycle, registry, add, calls, moveTo } = setup();
    add('loop', pass, { kind: 'liveness' });
    moveTo('draining');
    const report = await evaluateProbe('liveness', lifecycle, registry, { only: 'loop' });
    expect(report.status).toBe('pass');
    expect(calls.loop).toBe(1);
  });

  it('fails for a name that is not a check of this kind', async () => {
    const { lifecycle, registry, add, moveTo } = setup();
    add('db', pass);
    moveTo('ready');
    const report = await evaluateProbe('liveness', lifecycle, registry, { only: 'db' });
    expect(report.status).toBe('fail');
    expect(report.checks).toEqual([]);
  });

  it('fails when the one check fails', async () => {
    const { lifecycle, registry, add, moveTo } = setup();
    add('db', fail);
    moveTo('ready');
    expect((await evaluateProbe('readiness', lifecycle, registry, { only: 'db' })).status).toBe('fail');
  });
});
