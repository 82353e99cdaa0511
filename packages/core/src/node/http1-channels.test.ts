import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHard, get, listen } from '../../test/support/http.js';
import { type Http1Exchange, observeHttp1 } from './http1-channels.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await closeHard(server);
});

async function listening(): Promise<{ server: Server; port: number }> {
  const server = createServer((_request, response) => response.end('ok\n'));
  servers.push(server);
  return { server, port: await listen(server) };
}

function recorder(name: string, seen: string[]) {
  return {
    start: (exchange: Http1Exchange) => seen.push(`${name} start ${exchange.request.url}`),
    finish: (exchange: Http1Exchange) => seen.push(`${name} finish ${exchange.request.url}`),
  };
}

describe('observeHttp1', () => {
  it("tells every observer of a server of each request and finished response, and no other server's", async () => {
    const observed = await listening();
    const other = await listening();
    const seen: string[] = [];
    observeHttp1(observed.server, recorder('first', seen));
    observeHttp1(observed.server, recorder('second', seen));

    await get(observed.port, '/a');
    await get(other.port, '/b');
    await get(observed.port, '/c');

    expect(seen).toEqual([
      'first start /a',
      'second start /a',
      'first finish /a',
      'second finish /a',
      'first start /c',
      'second start /c',
      'first finish /c',
      'second finish /c',
    ]);
  });
});
