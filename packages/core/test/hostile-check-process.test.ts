import { fileURLToPath } from 'node:url';
import { killAllChildren, request, spawnNode } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { logLines } from './support/fixture.js';

afterEach(() => killAllChildren());

async function startHostile(env: Record<string, string> = {}) {
  const child = spawnNode(fileURLToPath(new URL('./fixtures/hostile-check.mjs', import.meta.url)), { env });
  const { port } = await child.waitForEvent('listening');
  return Object.assign(child, { url: `http://127.0.0.1:${port}` });
}

const CHECKS = ['revoked', 'trapped', 'message', 'returns-revoked', 'late-revoked'];

describe('hostile checks and hooks in a real process with no unhandledRejection handler', () => {
  it.each(['false', 'true'])(
    'stays alive and answers 503 naming each check (exposeDetails %s), then 200 once the dependencies recover',
    async (exposeDetails) => {
      const child = await startHostile({ EXPOSE_DETAILS: exposeDetails });
      for (let round = 0; round < 3; round += 1) {
        const response = await request(`${child.url}/readyz?verbose`);
        expect(response.status).toBe(503);
        for (const name of CHECKS) expect(response.body).toContain(`[-]${name} failed`);
        for (const name of CHECKS) expect((await request(`${child.url}/readyz/${name}`)).status).toBe(503);
        const json = await request(`${child.url}/readyz`, { headers: { accept: 'application/health+json' } });
        expect(json.status).toBe(503);
      }
      // Let the abandoned late-revoked calls settle with their revoked Proxy.
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(child.child.exitCode).toBeNull();
      expect(child.stderr).not.toMatch(/unhandled|TypeError/i);

      await request(`${child.url}/recover`);
      // The abandoned late-revoked call settles 150 ms after it started; on a busy machine later.
      let recovered = await request(`${child.url}/readyz?verbose`);
      for (const deadline = Date.now() + 5_000; recovered.status !== 200 && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        recovered = await request(`${child.url}/readyz?verbose`);
      }
      expect(recovered.status).toBe(200);
      for (const name of CHECKS) expect(recovered.body).toContain(`[+]${name} ok`);
      expect(child.child.exitCode).toBeNull();
    },
  );

  it('a drain-start hook rejecting with a revoked Proxy: cleanup still runs and the process exits', async () => {
    const child = await startHostile();
    child.signal('SIGTERM');
    const exit = await child.exited;
    expect(child.events('cleanup-ran')).toHaveLength(1);
    expect(logLines(child)).toContainEqual(
      expect.stringMatching(
        /^error early-notice hook "notice" failed after \d+ ms: threw an unreadable value/,
      ),
    );
    expect(logLines(child)).toContainEqual(expect.stringMatching(/state draining -> closed/));
    expect(child.stderr).not.toMatch(/unhandled|TypeError/i);
    expect(exit.signal).toBeNull();
    expect([0, 1]).toContain(exit.code);
  });
});
