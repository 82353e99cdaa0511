// Records the unhandled rejections that happen while a test runs, so it can assert there were none.
import { afterEach, beforeEach } from 'vitest';

export function recordUnhandledRejections(): unknown[] {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  beforeEach(() => {
    seen.length = 0;
    process.on('unhandledRejection', listener);
  });
  afterEach(() => {
    process.off('unhandledRejection', listener);
  });
  return seen;
}

/** Lets pending promise jobs and one timer turn run, so an unhandled rejection is reported. */
export const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 5));
