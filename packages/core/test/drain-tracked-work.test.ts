import { killAllChildren } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { logLines, startFixture } from './support/fixture.js';

afterEach(() => killAllChildren());

describe('tracked work across a real SIGTERM: a queue consumer', () => {
  it('stops taking jobs at the drain start, finishes the one in hand before the cleanup hook; exit 0', async () => {
    const child = await startFixture('tracked-work.mjs', { JOB_MS: '800' });
    await child.waitForEvent('job-started');
    child.signal('SIGTERM');
    const exit = await child.exited;
    const started = child.events('job-started');
    const finished = child.events('job-finished');
    expect(exit.code).toBe(0);
    // The job in hand at the SIGTERM was the last one started, and it finished.
    expect(finished.map((event) => event.id)).toEqual(started.map((event) => event.id));
    const [closed] = child.events('queue-closed');
    expect(closed?.activeJobs).toBe(0);
    expect(closed?.t).toBeGreaterThanOrEqual(finished.at(-1)?.t ?? Number.POSITIVE_INFINITY);
    expect(logLines(child)).toContainEqual(
      expect.stringMatching(/waiting for 1 tracked job\(s\) \("job \d+"\)/),
    );
  });

  it('a job that outlives the drain timeout is named in the logs, the cleanup still runs, exit 1', async () => {
    const child = await startFixture('tracked-work.mjs', { JOB_MS: '10000', DRAIN_TIMEOUT_MS: '500' });
    await child.waitForEvent('job-started');
    child.signal('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(1);
    expect(child.events('queue-closed')).toEqual([expect.objectContaining({ activeJobs: 1 })]);
    expect(logLines(child)).toContainEqual(
      'error 1 tracked job(s) still running at the drain deadline ("job 1"): the cleanup hooks start without them',
    );
  });
});
