import { describe, expect, it, vi } from 'vitest';
import { recordingLogger } from '../test/support/logger.js';
import { HookList, runHook } from './hooks.js';
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
