import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { measureIdleClose } from './idle-race.js';

describe('measureIdleClose', () => {
  it("times a real server's close of an idle keep-alive connection, and reads its Keep-Alive hint", async () => {
    const server = createServer((_request, response) => response.end('ok\n'));
    server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const close = await measureIdleClose(port, 5000);
      expect(close.hintS).toBe(1);
      // Node closes at its timeout, plus up to a second of its own buffer (Node 20 and later).
      expect(close.closedAfterMs).toBeGreaterThanOrEqual(950);
      expect(close.closedAfterMs).toBeLessThan(2600);
    } finally {
      server.close();
    }
  });

  it('says "still open" (undefined) when the server keeps the connection past the cap', async () => {
    const server = createServer((_request, response) => response.end('ok\n'));
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      expect(await measureIdleClose(port, 800)).toEqual({ closedAfterMs: undefined, capMs: 800, hintS: 65 });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
