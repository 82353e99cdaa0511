import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { closeHard, listen } from '../../test/support/http.js';
import { countUntrackedServers } from './untracked-servers.js';

describe('countUntrackedServers', () => {
  it('counts listening servers in the process that are not attached', async () => {
    const attached = createServer();
    const stray = createServer();
    const before = countUntrackedServers([]);
    await listen(attached);
    await listen(stray);
    try {
      expect(countUntrackedServers([attached], process)).toBe(before + 1);
      expect(countUntrackedServers([attached, stray], process)).toBe(before);
    } finally {
      await closeHard(attached);
      await closeHard(stray);
    }
  });

  it('reads TCP and pipe server handles only, and never goes below 0', () => {
    const source = {
      getActiveResourcesInfo: () => ['TCPServerWrap', 'TCPSocketWrap', 'PipeServerWrap', 'Timeout'],
    };
    expect(countUntrackedServers([], source)).toBe(2);
    const listening = { listening: true } as never;
    expect(countUntrackedServers([listening, listening, listening], source)).toBe(0);
  });

  it('answers 0 when Node cannot tell, or the call throws', () => {
    expect(countUntrackedServers([], {})).toBe(0);
    expect(
      countUntrackedServers([], {
        getActiveResourcesInfo: () => {
          throw new Error('no');
        },
      }),
    ).toBe(0);
  });
});
