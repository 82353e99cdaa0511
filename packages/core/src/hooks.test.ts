import { describe, expect, it, vi } from 'vitest';
import { recordingLogger } from '../test/support/logger.js';
import { HookList, runCleanupPhase, runHook } from './hooks.js';
import { LameduckConfigError } from './index.js';

describe('HookList', () => {
  it('keeps hooks in registration order, with the default timeout, and unregisters', () => {
    const hooks = new HookList('cleanup', 5000);
    hooks.add('a', () => {});
    const { remove } = hooks.add('b', () => {}, { timeoutMs: 100 });
    expect(hooks.list().map((hook) => [hook.name, hook.timeoutMs])).toEqual([
      ['a', 5000],
      ['b', 100],
    ]);
    remove();
    remove();
    expect(hooks.list().map((hook) => hook.name)).toEqual(['a']);
  });

  it.each([
    ['', () => {}, {}, /a cleanup hook needs a name/],
    ['db', 'close', {}, /cleanup hook "db" must be a function/],
    ['db', () => {}, { timeoutMs: -1 }, /timeoutMs of cleanup hook "db" must be between 1 and/],
    ['db', () => {}, { timeoutMs: '5s' }, /timeoutMs of cleanup hook "db" must be a number of milliseconds/],
    [
      'db',
      () => {},
      { timeout: 5 },
      /unknown option "timeout" for cleanup hook "db"; known options: timeoutMs/,
    ],
    ['db', () => {}, null, /options of cleanup hook "db" must be an object/],
  ])('refuses name %o, fn %o, options %o', (name, fn, options, message) => {
    const hooks = new HookList('cleanup', 5000);
    expect(() => hooks.add(name, fn as never, options as never)).toThrow(LameduckConfigError);
    expect(() => hooks.add(name, fn as never, options as never)).toThrow(message);
  });
});

describe('runHook', () => {
  it('reports and logs success with its duration', async () => {
    const { logger, lines } = recordingLogger();
    const outcome = await runHook(
      { name: 'db', timeoutMs: 1000, fn: async () => {} },
      'cleanup',
      logger,
      Date.now,
    );
    expect(outcome).toMatchObject({ name: 'db', phase: 'cleanup', ok: true, timedOut: false });
    expect(lines).toEqual([expect.stringMatching(/^info cleanup hook "db" finished in \d+ ms$/)]);
  });

  it('reports a hook that throws synchronously or rejects, once, as an error', async () => {
    const { logger, lines } = recordingLogger();
    const thrown = await runHook(
      {
        name: 'sync',
        timeoutMs: 1000,
        fn: () => {
          throw new Error('boom');
        },
      },
      'cleanup',
      logger,
      Date.now,
    );
    const rejected = await runHook(
      { name: 'async', timeoutMs: 1000, fn: () => Promise.reject('nope') },
      'drain-start',
      logger,
      Date.now,
    );
    expect(thrown).toMatchObject({ ok: false, timedOut: false, error: 'boom' });
    expect(rejected).toMatchObject({ ok: false, error: 'threw the string "nope" instead of an Error' });
    expect(lines).toEqual([
      expect.stringMatching(/^error cleanup hook "sync" failed after \d+ ms: boom$/),
      expect.stringMatching(/^error early-notice hook "async" failed after \d+ ms: threw the string "nope"/),
    ]);
  });

  it('abandons a hook at its timeout and aborts its signal', async () => {
    const { logger, lines } = recordingLogger();
    let signal: AbortSignal | undefined;
    const outcome = await runHook(
      {
        name: 'hangs',
        timeoutMs: 50,
        fn: (given) => {
          signal = given;
          return new Promise(() => {});
        },
      },
      'cleanup',
      logger,
      Date.now,
    );
    expect(outcome).toMatchObject({
      ok: false,
      timedOut: true,
      error: 'did not finish within its 50 ms timeout',
    });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(45);
    expect(signal?.aborted).toBe(true);
    expect(lines).toEqual([
      'error cleanup hook "hangs" did not finish within its 50 ms timeout; abandoned it (its signal is aborted) and moved on',
    ]);
  });

  it('leaves no timer behind once the hook settles', async () => {
    vi.useFakeTimers();
    try {
      const done = runHook(
        { name: 'quick', timeoutMs: 60_000, fn: () => {} },
        'cleanup',
        recordingLogger().logger,
        Date.now,
      );
      await vi.advanceTimersByTimeAsync(0);
      await done;
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('runCleanupPhase', () => {
  const quiet = { info() {}, warn() {}, error() {} };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('runs the hooks newest first inside one shared budget, and reports the ones it cut or skipped', async () => {
    const list = new HookList('cleanup', 5000);
    const ran: string[] = [];
    list.add('oldest', () => {
      ran.push('oldest');
    });
    list.add('slow', async (signal) => {
      ran.push('slow');
      await sleep(2000);
      if (signal.aborted) ran.push('slow aborted');
    });
    list.add('newest', async () => {
      ran.push('newest');
      await sleep(20);
    });
    const startedAt = Date.now();
    const outcomes = await runCleanupPhase(list.list(), 300, quiet, Date.now);
    const elapsedMs = Date.now() - startedAt;
    expect(ran).toEqual(['newest', 'slow']);
    expect(outcomes.map((outcome) => [outcome.name, outcome.ok, outcome.timedOut])).toEqual([
      ['newest', true, false],
      ['slow', false, true],
      ['oldest', false, true],
    ]);
    expect(outcomes[2]?.error).toBe("not run: the cleanup phase's 300 ms (cleanupTimeoutMs) were spent");
    expect(elapsedMs).toBeGreaterThanOrEqual(290);
    expect(elapsedMs).toBeLessThan(1500);
  });

  it('a budget of 0 runs no hook', async () => {
    const list = new HookList('cleanup', 5000);
    let called = false;
    list.add('db', () => {
      called = true;
    });
    const outcomes = await runCleanupPhase(list.list(), 0, quiet, Date.now);
    expect(called).toBe(false);
    expect(outcomes[0]).toMatchObject({ name: 'db', ok: false, timedOut: true });
  });
});
