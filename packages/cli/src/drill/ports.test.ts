import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, podPortRange } from './ports.js';

describe('podPortRange', () => {
  it('keeps pods below the ephemeral range, or above it when there is no room below', () => {
    expect(podPortRange([32768, 60999])).toEqual([10_000, 32767]);
    expect(podPortRange([1024, 49151])).toEqual([49152, 65535]);
    expect(podPortRange([1024, 65000])).toBeUndefined();
  });
});

describe('freePort', () => {
  it('returns a port a server can listen on', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    server.close();
    expect(port).toBeGreaterThan(0);
  });
});
