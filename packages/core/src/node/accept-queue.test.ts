import { createServer } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHard, listen } from '../../test/support/http.js';
import { acceptQueued, countQueued, queuedInKernel } from './accept-queue.js';
import { ServerTracker } from './connections.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the accept queue', () => {
  it('reads the accept-queue length of listening sockets from /proc/net/tcp', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   3: 0100007F:A329 00000000:0000 0A 00000000:00000032 00:00000000 00000000     0        0 225613',
      '   4: 0100007F:A329 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 225614',
      '   5: 00000000:1F90 00000000:0000 0A 00000000:00000003 00:00000000 00000000     0        0 225615',
    ].join('\n');
    expect(countQueued(text, new Set(['A329']))).toBe(50);
    expect(countQueued(text, new Set(['A329', '1F90']))).toBe(53);
    expect(countQueued(text, new Set(['0050']))).toBe(0);
  });

  it('keeps yielding until every connection that arrived together is accepted (libuv takes one per turn)', async () => {
    const server = createServer((_request, response) => response.end('ok'));
    const tracker = new ServerTracker(server, 'http');
    const port = await listen(server);
    cleanups.push(() => closeHard(server));
    const clients = Array.from({ length: 20 }, () => connect(port, '127.0.0.1').on('error', () => {}));
    cleanups.push(() => {
      for (const client of clients) client.destroy();
    });
    await new Promise((resolve) => setImmediate(resolve)); // the clients' connect() calls are made
    const report = await acceptQueued([tracker], () => performance.now(), new AbortController().signal, 5000);
    expect(report).toEqual({ accepted: 20, leftQueued: 0 });
    expect(tracker.accepted).toBe(20);
    const queued = await queuedInKernel([tracker]);
    if (queued !== undefined) expect(queued).toBe(0);
  });
});
