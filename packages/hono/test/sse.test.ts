import { fileURLToPath } from 'node:url';
import { killAllChildren, sseAcrossSigterm } from 'lameduck-test-utils';
import { afterEach, expect, it } from 'vitest';

afterEach(() => killAllChildren());

it('an SSE stream ends with its last event when the drain starts, across a real SIGTERM; exit 0', async () => {
  const report = await sseAcrossSigterm(fileURLToPath(new URL('./fixtures/sse-app.mjs', import.meta.url)));
  expect(report.text).toMatch(/^data: hello\n\n/);
  expect(report.text).toMatch(/event: bye\ndata: draining\n\n$/);
  // Ended by the signal, not cut at the 5 s drain deadline.
  expect(report.endedAfterMs).toBeLessThan(2500);
  expect(report.exit.code).toBe(0);
});
