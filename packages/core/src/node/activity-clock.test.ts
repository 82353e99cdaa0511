import { afterEach, describe, expect, it, vi } from 'vitest';
import { activityStamp, quietForAtLeastMs, TICK_MS } from './activity-clock.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('the activity clock', () => {
  it('says a stamp taken a moment ago may be 0 ms old, and counts whole ticks after', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
    const stamp = activityStamp();
    expect(quietForAtLeastMs(stamp)).toBe(0);
    vi.advanceTimersByTime(TICK_MS);
    expect(quietForAtLeastMs(stamp)).toBe(0); // the stamp may have come just before that tick
    vi.advanceTimersByTime(TICK_MS * 10);
    // The ticker stopped after a quiet tick; whole periods since still count.
    expect(quietForAtLeastMs(stamp)).toBe(TICK_MS * 10);
    vi.advanceTimersByTime(1000);
    expect(quietForAtLeastMs(stamp)).toBe(TICK_MS * 10 + 1000);
  });
});
