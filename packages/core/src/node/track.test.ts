import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { recordingLogger } from '../../test/support/logger.js';
import { createNodeLameduck } from './node-lameduck.js';

// track() in process, with shutdown(): the child-process test (test/drain-tracked-work.test.ts)
// does the same across a real SIGTERM.
function lifecycle(drainTimeoutMs: number) {
  const { logger, lines } = recordingLogger({ dropPrefix: true });
  const lameduck = createNodeLameduck({ logger, signals: false, env: false, drainTimeoutMs });
  lameduck.ready();
  return { lameduck, lines };
}

describe('track(work)', () => {
  it('holds the cleanup hooks until the tracked work finishes; the result counts it', async () => {
    const { lameduck, lines } = lifecycle(5000);
    const order: string[] = [];
    lameduck.onCleanup('queue', () => {
      order.push('cleanup');
    });
    void lameduck.track(
      sleep(300).then(() => order.push('job finished')),
      'invoice job',
    );
    const result = await lameduck.shutdown('test');
    expect(order).toEqual(['job finished', 'cleanup']);
    expect(result).toMatchObject({ exitCode: 0, forced: false, trackedAtStart: 1, abandonedWork: 0 });
    expect(lines).toContainEqual(expect.stringContaining('waiting for 1 tracked job(s) ("invoice job")'));
  });

  it('is bounded by the drain deadline: work still running is counted, logged by name, exit code 1', async () => {
    const { lameduck, lines } = lifecycle(300);
    void lameduck.track(new Promise(() => {}), 'stuck upload');
    const startedAt = Date.now();
    const result = await lameduck.shutdown('test');
    expect(Date.now() - startedAt).toBeLessThan(3000);
    expect(result).toMatchObject({ exitCode: 1, forced: true, trackedAtStart: 1, abandonedWork: 1 });
    expect(lines).toContainEqual(
      expect.stringContaining('1 tracked job(s) still running at the drain deadline ("stuck upload")'),
    );
  });

  it('refuses a name that is not 1-100 characters in one line', () => {
    const { lameduck } = lifecycle(300);
    expect(() => lameduck.track(Promise.resolve(), '' as string)).toThrow(
      /^track\(work, name\): the name is for the logs, 1-100 characters/,
    );
    lameduck.dispose();
  });
});
