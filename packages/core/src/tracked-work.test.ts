import { describe, expect, it } from 'vitest';
import { TrackedWork } from './tracked-work.js';

describe('TrackedWork', () => {
  it('counts work until it settles, fulfilled or rejected, and returns it', async () => {
    const work = new TrackedWork();
    let fail: (error: Error) => void = () => {};
    const failing = work.track(new Promise<never>((_resolve, reject) => (fail = reject)), 'upload');
    const ok = work.track(Promise.resolve(42), 'webhook');
    expect(work.pending).toBe(2);
    expect(await ok).toBe(42);
    expect(work.pending).toBe(1);
    expect(work.describePending()).toBe('"upload"');
    fail(new Error('upload failed'));
    // The rejection is the caller's: it reaches them, and settles the tracking.
    await expect(failing).rejects.toThrow('upload failed');
    expect(work.pending).toBe(0);
    expect(work.finished).toBe(2);
  });

  it('whenIdle resolves at once with nothing pending, else when the last work settles', async () => {
    const work = new TrackedWork();
    await work.whenIdle();
    let finish: () => void = () => {};
    work.track(new Promise<void>((resolve) => (finish = resolve)), 'job');
    let idle = false;
    const waiting = work.whenIdle().then(() => {
      idle = true;
    });
    await Promise.resolve();
    expect(idle).toBe(false);
    finish();
    await waiting;
    expect(idle).toBe(true);
  });

  it('names at most five pending pieces of work in a log line', () => {
    const work = new TrackedWork();
    for (let index = 1; index <= 7; index += 1) work.track(new Promise(() => {}), `job ${index}`);
    expect(work.describePending()).toBe('"job 1", "job 2", "job 3", "job 4", "job 5" and 2 more');
  });

  it('takes a plain value too (already settled work)', async () => {
    const work = new TrackedWork();
    expect(await work.track('done')).toBe('done');
    expect(work.pending).toBe(0);
  });
});
