import { describe, expect, it } from 'vitest';
import { createNodeLameduck } from './node-lameduck.js';

describe('drainSignal', () => {
  it('aborts when the drain starts, in the same turn, with readiness already draining', async () => {
    const lameduck = createNodeLameduck({ logger: false, signals: false, env: false });
    lameduck.ready();
    const seen: string[] = [];
    lameduck.drainSignal.addEventListener('abort', () => seen.push(lameduck.state));
    expect(lameduck.drainSignal.aborted).toBe(false);
    const result = lameduck.shutdown('test');
    expect(seen).toEqual(['draining']);
    expect(String(lameduck.drainSignal.reason)).toMatch(/the drain started \(test\)/);
    expect(lameduck.deadlineSignal.aborted).toBe(false);
    expect((await result).exitCode).toBe(0);
  });

  it('aborts once, however many times the drain is asked for', async () => {
    const lameduck = createNodeLameduck({ logger: false, signals: false, env: false });
    lameduck.ready();
    let aborts = 0;
    lameduck.drainSignal.addEventListener('abort', () => {
      aborts += 1;
    });
    lameduck.drain('first');
    await lameduck.shutdown('second');
    expect(aborts).toBe(1);
  });
});
