import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHard, get, listen } from '../../test/support/http.js';
import { LameduckConfigError } from '../index.js';
import { createNodeLameduck, type NodeLameduck } from './node-lameduck.js';
import { respondToNode } from './respond-to-node.js';

const created: NodeLameduck[] = [];
const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const lameduck of created.splice(0)) lameduck.dispose();
  for (const server of servers.splice(0)) if (server.listening) await closeHard(server);
});

function make(options: Parameters<typeof createNodeLameduck>[0] = {}): NodeLameduck {
  const lameduck = createNodeLameduck({ logger: false, signals: false, ...options });
  created.push(lameduck);
  return lameduck;
}

describe('createNodeLameduck: configuration errors at the call', () => {
  it.each([
    [{ drainTimeoutMs: -1 }, /drainTimeoutMs must be between 0 and 86400000 ms, got -1/],
    [{ drainDelayMs: Number.NaN }, /drainDelayMs must be a number of milliseconds, got number NaN/],
    [{ hookTimeoutMs: '5000' }, /hookTimeoutMs must be a number of milliseconds, got the string "5000"/],
    [{ checkTimeoutMs: -5 }, /checkTimeoutMs must be between/],
  ])('%o', (options, message) => {
    expect(() => make(options as never)).toThrow(LameduckConfigError);
    expect(() => make(options as never)).toThrow(message);
  });

  it('names the drain options too when an option is unknown', () => {
    expect(() => make({ drainDelay: 5 } as never)).toThrow(
      /unknown option "drainDelay" for createLameduck; known options: logger, .*, drainDelayMs, drainTimeoutMs, hookTimeoutMs, cleanupTimeoutMs, signals, exitOnSignal, gracePeriodMs, budget/,
    );
  });

  it('refuses a budget that cannot fit a grace period given in code, with the numbers', () => {
    expect(() => make({ drainDelayMs: 5000, drainTimeoutMs: 30_000, gracePeriodMs: 30_000 })).toThrow(
      /the shutdown can take up to 40350 ms \(drain delay 5000 \+ drain timeout 30000 \+ lameduck's own waits 350 \+ cleanup 5000 ms\), which with 1000 ms of headroom does not fit the grace period of 30000 ms \(gracePeriodMs: 30000\)/,
    );
  });

  // Regression (issue 23): with the recommended manifest's environment, an app whose framework
  // registers a cleanup hook and that adds one of its own threw "the shutdown can take up to 30350 ms".
  it('starts with any number of cleanup hooks under the recommended manifest: they share the cleanup budget', () => {
    const env = {
      TERMINATION_GRACE_PERIOD_SECONDS: '30',
      LAMEDUCK_DRAIN_DELAY_MS: '0',
      LAMEDUCK_DRAIN_TIMEOUT_MS: '20000',
      LAMEDUCK_HOOK_TIMEOUT_MS: '5000',
    };
    const lameduck = make({ env });
    for (const name of ['framework', 'db', 'telemetry', 'queue']) {
      expect(() => lameduck.onCleanup(name, () => {})).not.toThrow();
    }
  });

  it('fits an over-budget configuration when the grace period comes from the environment, with one warning', () => {
    const lines: string[] = [];
    const logger = { info() {}, warn: (message: string) => lines.push(message), error() {} };
    const lameduck = make({
      logger: logger as never,
      env: {
        TERMINATION_GRACE_PERIOD_SECONDS: '30',
        LAMEDUCK_DRAIN_DELAY_MS: '5000',
        LAMEDUCK_DRAIN_TIMEOUT_MS: '30000',
      },
    });
    expect(lameduck.settings).toMatchObject({
      drainDelayMs: 5000,
      drainTimeoutMs: 18_650,
      cleanupTimeoutMs: 5000,
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\[lameduck\] the shutdown could take up to 40350 ms .*started anyway with drainTimeoutMs 30000 -> 18650 ms\. Fix: raise terminationGracePeriodSeconds to at least 42 .*LAMEDUCK_DRAIN_TIMEOUT_MS=18650; LAMEDUCK_BUDGET=refuse refuses to start instead$/,
    );
  });

  it('refuses instead of fitting when asked: LAMEDUCK_BUDGET=refuse or budget: refuse', () => {
    const env = { TERMINATION_GRACE_PERIOD_SECONDS: '30', LAMEDUCK_DRAIN_TIMEOUT_MS: '30000' };
    expect(() => make({ env: { ...env, LAMEDUCK_BUDGET: 'refuse' } })).toThrow(
      /does not fit the grace period of 30000 ms \(TERMINATION_GRACE_PERIOD_SECONDS=30\)/,
    );
    expect(() => make({ env, budget: 'refuse' })).toThrow(LameduckConfigError);
    expect(() => make({ env: { ...env, LAMEDUCK_BUDGET: 'no' } })).toThrow(/LAMEDUCK_BUDGET must be 'fit'/);
    expect(() => make({ drainTimeoutMs: 30_000, gracePeriodMs: 30_000, budget: 'fit' })).not.toThrow();
  });

  it('refuses an invalid cleanup budget with the variable, the value and the range', () => {
    expect(() => make({ env: { LAMEDUCK_CLEANUP_TIMEOUT_MS: 'soon' } })).toThrow(
      'LAMEDUCK_CLEANUP_TIMEOUT_MS must be a whole number of milliseconds from 0 to 86400000, got "soon"; for example LAMEDUCK_CLEANUP_TIMEOUT_MS=5000',
    );
    expect(() => make({ cleanupTimeoutMs: -1 })).toThrow(
      'cleanupTimeoutMs must be between 0 and 86400000 ms, got -1',
    );
  });

  it('refuses what is not an HTTP server', () => {
    const lameduck = make();
    expect(() => lameduck.attach(createNetServer() as never)).toThrow(
      /attach\(\) takes an HTTP server, got a net.Server/,
    );
    expect(() => lameduck.attach((() => {}) as never)).toThrow(/an Express or Koa app\?/);
  });

  it('a server attached after the shutdown started joins it: its listener closes as soon as it listens', async () => {
    const lameduck = make({ drainDelayMs: 200 });
    const shutdown = lameduck.shutdown('test');
    const server = lameduck.attach(createServer());
    const closed = new Promise((resolve) => server.once('close', resolve));
    server.listen(0, '127.0.0.1');
    await closed;
    expect(server.listening).toBe(false);
    expect((await shutdown).exitCode).toBe(0);
  });

  it('a server attached by a cleanup hook (the shutdown still running) joins it, not refused', async () => {
    const lameduck = make({ drainDelayMs: 0 });
    let attached: ReturnType<typeof createServer> | undefined;
    lameduck.onCleanup('late-server', () => {
      attached = lameduck.attach(createServer());
    });
    expect((await lameduck.shutdown('test')).exitCode).toBe(0);
    expect(attached).toBeDefined();
  });

  it('attach() after the shutdown completed throws a LameduckConfigError (as Go returns ErrServerClosed)', async () => {
    const lameduck = make({ drainDelayMs: 0 });
    await lameduck.shutdown('test');
    const server = createServer();
    expect(() => lameduck.attach(server)).toThrow(LameduckConfigError);
    expect(() => lameduck.attach(server)).toThrow(
      /^attach\(\) after the shutdown completed: this lifecycle is closed and would never drain the server; attach servers before the shutdown, or create a new lifecycle for a process that serves again$/,
    );
  });

  it('refuses an upgraded-socket hook that would overflow the budget, and does not keep it', () => {
    const lameduck = make({
      drainDelayMs: 0,
      drainTimeoutMs: 1000,
      cleanupTimeoutMs: 1000,
      gracePeriodMs: 4000,
    });
    expect(() => lameduck.onUpgradedSockets('websockets', () => {}, { timeoutMs: 6000 })).toThrow(
      /up to 8000 ms \(drain delay 0 \+ accept queue 1000 \+ upgraded-socket hook 6000 \+ cleanup 1000 ms\)/,
    );
    expect(() => lameduck.onUpgradedSockets('websockets', () => {}, { timeoutMs: 1000 })).not.toThrow();
  });

  it('in fit mode, gives an early-notice hook that would overflow the budget the longest timeout that fits', () => {
    const lines: string[] = [];
    const logger = { info() {}, warn: (message: string) => lines.push(message), error() {} };
    const lameduck = make({
      logger: logger as never,
      env: { TERMINATION_GRACE_PERIOD_SECONDS: '30', LAMEDUCK_DRAIN_DELAY_MS: '0' },
    });
    lameduck.onDrainStart('jobs', () => {}, { timeoutMs: 40_000 });
    expect(lines).toEqual([
      expect.stringMatching(/^\[lameduck\] early-notice hook "jobs" asked for 40000 ms, .* it gets 24000 ms/),
    ]);
  });

  it('refuses a cleanup hook once the cleanup step started', async () => {
    const lameduck = make();
    await lameduck.shutdown('test');
    expect(() => lameduck.onCleanup('late', () => {})).toThrow(/after the cleanup step started/);
  });
});

describe('signal listeners', () => {
  it('are added by createNodeLameduck (not by importing it) and removed by dispose()', () => {
    const before = { term: process.listenerCount('SIGTERM'), int: process.listenerCount('SIGINT') };
    const lameduck = createNodeLameduck({ logger: false });
    created.push(lameduck);
    expect(process.listenerCount('SIGTERM')).toBe(before.term + 1);
    expect(process.listenerCount('SIGINT')).toBe(before.int + 1);
    lameduck.dispose();
    expect(process.listenerCount('SIGTERM')).toBe(before.term);
    expect(process.listenerCount('SIGINT')).toBe(before.int);
  });

  it('are removed once a shutdown is over, so a later signal does what it does to any process', async () => {
    const before = process.listenerCount('SIGTERM');
    const lameduck = createNodeLameduck({ logger: false, signals: ['SIGTERM'] });
    created.push(lameduck);
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    await lameduck.shutdown('test');
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });

  it('none with signals: false', () => {
    const before = process.listenerCount('SIGTERM');
    make({ signals: false });
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});

describe('the NodeLameduck', () => {
  it('is a Lameduck: checks, probes, states and history', async () => {
    const lameduck = make();
    expect(lameduck.check('db', () => {})).toBe(lameduck);
    expect(lameduck.state).toBe('starting');
    expect(lameduck.ready()).toBe(true);
    expect((await lameduck.probe('readiness')).status).toBe('pass');
    expect(lameduck.paths.readiness).toBe('/readyz');
    expect(lameduck.removeCheck('db')).toBe(true);
    expect(lameduck.history.map((change) => change.to)).toEqual(['ready']);
  });

  it('exposes its resolved settings', () => {
    expect(make({ drainDelayMs: 100 }).settings).toMatchObject({
      drainDelayMs: 100,
      drainTimeoutMs: 20_000,
      hookTimeoutMs: 5000,
      signals: [],
    });
  });

  it('drain() starts the whole shutdown, once', async () => {
    const lameduck = make();
    const states: string[] = [];
    lameduck.on('state', ({ to }) => states.push(to));
    expect(lameduck.drain('rollout')).toBe(true);
    expect(lameduck.state).toBe('draining');
    const result = await lameduck.shutdown();
    expect(result.reason).toBe('rollout');
    expect(lameduck.drain()).toBe(false);
    expect(states).toEqual(['draining', 'closed']);
  });

  it('attach() returns the server, and is a no-op for a server already attached', () => {
    const lameduck = make();
    const server = createServer();
    expect(lameduck.attach(server)).toBe(server);
    expect(lameduck.attach(server)).toBe(server);
    expect(server.listenerCount('connection')).toBe(2); // Node's own, and lameduck's once
  });

  it('serves probes on a plain node server through respondToNode', async () => {
    const lameduck = make();
    const server = lameduck.attach(
      createServer((request, response) => {
        if (!respondToNode(lameduck, request, response)) response.end('app');
      }),
    );
    servers.push(server);
    const port = await listen(server);
    expect(await get(port, '/readyz')).toMatchObject({
      status: 503,
      headers: { 'cache-control': 'no-store' },
    });
    lameduck.ready();
    expect(await get(port, '/readyz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await get(port, '/elsewhere')).toMatchObject({ status: 200, body: 'app' });
    expect(await get(port, '/livez', { method: 'POST' })).toMatchObject({ status: 405 });
  });
});

describe('idleGraceMs', () => {
  it('is validated like the other durations and reaches the settings', () => {
    expect(createNodeLameduck({ signals: false, idleGraceMs: 250 }).settings.idleGraceMs).toBe(250);
    expect(createNodeLameduck({ signals: false }).settings.idleGraceMs).toBe(1000);
    expect(() => createNodeLameduck({ signals: false, idleGraceMs: -1 })).toThrow(/idleGraceMs/);
  });
});
