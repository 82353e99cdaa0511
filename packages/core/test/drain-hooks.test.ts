import { killAllChildren } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { logLines, startFixture } from './support/fixture.js';
import { get } from './support/http.js';

afterEach(() => killAllChildren());

describe('cleanup hooks in a real process', () => {
  it('one throws and one hangs: the others still run, in reverse order, each logged; exit 1', async () => {
    const child = await startFixture('drain-server.mjs', { FEATURES: 'hooks' });
    child.signal('SIGTERM');
    const exit = await child.exited;
    expect(exit.code).toBe(1);
    expect(child.events('hook-ran').map((event) => event.name)).toEqual([
      'last-registered',
      'hangs',
      'throws',
      'first-registered',
    ]);
    const lines = logLines(child);
    expect(lines).toContain(
      'error cleanup hook "hangs" did not finish within its 300 ms timeout; abandoned it (its signal is aborted) and moved on',
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^error cleanup hook "throws" failed after \d+ ms: flush failed$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^info cleanup hook "last-registered" finished in \d+ ms$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^info cleanup hook "first-registered" finished in \d+ ms$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^warn shutdown finished with problems in \d+ ms: forced no, 2 failed hook\(s\), exit code 1$/,
      ),
    );
  });

  it('closes a database-like pool only after the last in-flight response', async () => {
    const child = await startFixture('drain-server.mjs', { FEATURES: 'db', DRAIN_DELAY_MS: '100' });
    const query = get(child.port, '/query?ms=800');
    await child.waitForEvent('query-started');
    child.signal('SIGTERM');
    expect(await query).toMatchObject({ status: 200, body: 'rows\n' });
    expect((await child.exited).code).toBe(0);
    const [finished] = child.events('query-response-finished');
    const [closed] = child.events('db-closed');
    expect(closed).toMatchObject({ activeQueries: 0 });
    expect(closed?.t).toBeGreaterThanOrEqual(finished?.t ?? Number.POSITIVE_INFINITY);
  });
});
