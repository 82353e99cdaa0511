import { describe, expect, it } from 'vitest';
// Type imports from the adapter alone: `pnpm typecheck` fails if one is not re-exported.
import type {
  CheckFunction,
  ExpressLameduck,
  HookFunction,
  LifecycleState,
  NodeLameduckOptions,
  ShutdownResult,
} from '../src/index.js';
import { createLameduck, httpCheck, LameduckConfigError, optionsFromEnv } from '../src/index.js';

describe('what @lameduck/express exports', () => {
  it('the values users call, and every type they write (checked by the compiler)', async () => {
    const options: NodeLameduckOptions = { logger: false, signals: false, env: false };
    const lameduck: ExpressLameduck = createLameduck(options);
    const check: CheckFunction = async () => {};
    const hook: HookFunction = () => {};
    // check() returns the adapter's own type: middleware() is still there after chaining.
    expect(typeof lameduck.check('db', check).middleware).toBe('function');
    lameduck.onCleanup('pool', hook);
    const state: LifecycleState = lameduck.state;
    const result: ShutdownResult = await lameduck.shutdown('test');
    expect([state, result.exitCode]).toEqual(['starting', 0]);
    expect([typeof httpCheck, typeof optionsFromEnv, typeof LameduckConfigError]).toEqual([
      'function',
      'function',
      'function',
    ]);
  });
});
