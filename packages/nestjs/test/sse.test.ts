import { fileURLToPath } from 'node:url';
import { killAllChildren, sseAcrossSigterm } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';

afterEach(() => killAllChildren());

describe.each(['express', 'fastify'])('on @nestjs/platform-%s', (platform) => {
  it('an @Sse() stream ends with its last event when the drain starts, across a real SIGTERM; exit 0', async () => {
    const report = await sseAcrossSigterm(fileURLToPath(new URL('./fixtures/sse-app.mjs', import.meta.url)), {
      PLATFORM: platform,
    });
    expect(report.text).toMatch(/data: hello\n\n/);
    // Nest numbers its events: `event: bye`, then `id: N`, then the data.
    expect(report.text).toMatch(/event: bye\n(id: \d+\n)?data: draining\n\n$/);
    // Ended by the signal, not cut at the 5 s drain deadline.
    expect(report.endedAfterMs).toBeLessThan(2500);
    expect(report.exit.code).toBe(0);
  });
});
