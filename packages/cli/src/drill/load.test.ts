import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { LoadGenerator } from './load.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

describe('LoadGenerator', () => {
  it('after a stall of the event loop, skips what was due instead of sending it in one burst', async () => {
    server = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const startedAt = performance.now();
    const load = new LoadGenerator({
      host: '127.0.0.1',
      port,
      rate: 200,
      keepAliveClients: 0,
      keepAliveShare: 0.5,
      path: '/',
      timeoutMs: 5000,
      now: () => performance.now() - startedAt,
      lookup: () => undefined,
    });
    load.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    // A busy machine: the drill's process gets no CPU for 400 ms (80 requests come due).
    const stallUntil = performance.now() + 400;
    while (performance.now() < stallUntil) {}
    await new Promise((resolve) => setTimeout(resolve, 100));
    await load.stop();
    const perMs = new Map<number, number>();
    for (const record of load.records) {
      const ms = Math.floor(record.startMs);
      perMs.set(ms, (perMs.get(ms) ?? 0) + 1);
    }
    // At most 50 ms worth (10 requests at 200/s) at once; the rest counted as not sent.
    expect(Math.max(...perMs.values())).toBeLessThanOrEqual(10);
    expect(load.skipped).toBeGreaterThanOrEqual(60);
    expect(load.records.every((record) => record.failure === undefined)).toBe(true);
  });
});
