import { createServer } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { pipelinedLoad } from '../src/pipelined.js';
import { profileGroup } from '../src/profile.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen<S extends Server>(server: S): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('pipelinedLoad', () => {
  it('counts every answer of a real server, 2xx and not', async () => {
    let seen = 0;
    const port = await listen(
      createServer((request, response) => {
        seen += 1;
        response.statusCode = seen % 5 === 0 ? 404 : 200;
        response.end(request.url);
      }),
    );
    const result = await pipelinedLoad(port, '/x', { connections: 4, depth: 8, amount: 1000 });
    expect(result.requests).toBe(1000);
    expect(seen).toBe(1000);
    expect(result.non2xx).toBe(200);
    expect(result.errors).toBe(0);
    expect(Number.isFinite(result.p99Ms)).toBe(true);
  });

  it('counts a status line split across two chunks once', async () => {
    const answer = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
    const port = await listen(
      createNetServer((socket) => {
        let buffered = '';
        socket.on('data', async (chunk) => {
          buffered += chunk.toString('latin1');
          const count = buffered.split('\r\n\r\n').length - 1;
          buffered = buffered.slice(buffered.lastIndexOf('\r\n\r\n') + 4);
          // Every answer in pieces, cut inside and right after its status line.
          for (let index = 0; index < count; index += 1) {
            for (const piece of [answer.slice(0, 4), answer.slice(4, 10), answer.slice(10)]) {
              socket.write(piece);
              await new Promise((resolve) => setImmediate(resolve));
            }
          }
        });
      }),
    );
    const result = await pipelinedLoad(port, '/', { connections: 2, depth: 3, amount: 30 });
    expect(result.requests).toBe(30);
    expect(result.non2xx).toBe(0);
  });
});

describe('profileGroup', () => {
  it('names the child whose rounds a profile belongs to', () => {
    expect(profileGroup('overhead-node-lameduck-round3.cpuprofile')).toBe('overhead-node-lameduck');
    expect(profileGroup('/d/probe-cost-node-bare-round12.cpuprofile')).toBe('probe-cost-node-bare');
  });
});
