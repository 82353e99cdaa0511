import { describe, expect, it } from 'vitest';
import { allOrFirstError } from './together.js';

const never = new AbortController().signal;

/** Resolves after ms unless the signal aborts first, then rejects naming itself. */
function step(name: string, ms: number, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(name), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error(`${name} stopped`));
    });
  });
}

describe('allOrFirstError', () => {
  it('returns every result in order', async () => {
    await expect(
      allOrFirstError([20, 5], (ms, signal) => step(`r${ms}`, ms, signal), never),
    ).resolves.toEqual(['r20', 'r5']);
  });

  it('stops the others at the first failure and throws that first error after all settled', async () => {
    const settled: string[] = [];
    const run = (name: string, signal: AbortSignal) =>
      (name === 'bad' ? Promise.reject(new Error('bad failed')) : step(name, 5_000, signal)).finally(() =>
        settled.push(name),
      );
    const started = Date.now();
    await expect(allOrFirstError(['a', 'bad', 'b'], run, never)).rejects.toThrow('bad failed');
    expect(settled.sort()).toEqual(['a', 'b', 'bad']);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('throws a first error that is undefined or falsy too', async () => {
    const run = (value: number) => (value === 0 ? Promise.reject(0) : Promise.resolve(value));
    await expect(allOrFirstError([1, 0], run, never)).rejects.toBe(0);
  });

  it("passes the caller's abort on to every run", async () => {
    const caller = new AbortController();
    const outcome = allOrFirstError(['a', 'b'], (name, signal) => step(name, 5_000, signal), caller.signal);
    caller.abort();
    await expect(outcome).rejects.toThrow('stopped');
  });
});
