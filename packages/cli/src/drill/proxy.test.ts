import { Agent, createServer, request, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from './endpoints.js';
import { freePort } from './ports.js';
import { ServiceProxy } from './proxy.js';

// Real servers on 127.0.0.1 behind a real proxy; each server answers with its own name.

let proxy: ServiceProxy;
const servers: Server[] = [];
const ports: Record<string, number> = {};

async function backend(name: string): Promise<void> {
  const server = createServer((_request, response) => response.end(name));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  ports[name] = typeof address === 'object' && address ? address.port : 0;
  servers.push(server);
}

function endpoint(pod: string, conditions: Partial<Endpoint> = {}): Endpoint {
  return {
    pod,
    version: pod,
    host: '127.0.0.1',
    port: ports[pod] ?? 0,
    ready: true,
    serving: true,
    terminating: false,
    ...conditions,
  };
}

interface Answer {
  body?: string;
  code?: string;
  localPort?: number;
}

function get(agent: Agent | false): Promise<Answer> {
  return new Promise((resolve) => {
    let localPort: number | undefined;
    const outgoing = request({ host: '127.0.0.1', port: proxy.port, path: '/', agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ body, ...(localPort === undefined ? {} : { localPort }) }));
    });
    outgoing.on('socket', (socket: Socket) => {
      const remember = () => {
        localPort = socket.localPort;
      };
      if (socket.connecting) socket.once('connect', remember);
      else remember();
    });
    outgoing.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ code: error.code ?? 'error', ...(localPort === undefined ? {} : { localPort }) }),
    );
    outgoing.end();
  });
}

async function bodies(count: number): Promise<string[]> {
  const answers = await Promise.all(Array.from({ length: count }, () => get(false)));
  return [...new Set(answers.map((answer) => answer.body ?? answer.code ?? '?'))].sort();
}

beforeAll(async () => {
  await backend('a');
  await backend('b');
  proxy = await ServiceProxy.listen();
});

afterAll(async () => {
  await proxy.close();
  for (const server of servers) server.close();
});

describe('ServiceProxy', () => {
  it('sends new connections only to ready endpoints', async () => {
    proxy.setEndpoints([endpoint('a'), endpoint('b', { ready: false, serving: false })]);
    expect(await bodies(30)).toEqual(['a']);
    proxy.setEndpoints([endpoint('a', { ready: false, terminating: true }), endpoint('b')]);
    expect(await bodies(30)).toEqual(['b']);
    proxy.setEndpoints([endpoint('a'), endpoint('b')]);
    expect(await bodies(60)).toEqual(['a', 'b']);
  });

  it('leaves an established connection with its pod after the endpoints change', async () => {
    proxy.setEndpoints([endpoint('a')]);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const first = await get(agent);
    proxy.setEndpoints([endpoint('b')]);
    const again = await get(agent);
    const fresh = await get(false);
    agent.destroy();
    expect(first.body).toBe('a');
    expect(again).toEqual({ body: 'a', localPort: first.localPort });
    expect(fresh.body).toBe('b');
    expect(proxy.connectionFrom(first.localPort ?? 0)).toEqual({ pod: 'a', version: 'a', outcome: 'open' });
  });

  it('falls back to terminating endpoints that still serve when none is ready', async () => {
    proxy.setEndpoints([
      endpoint('a', { ready: false, terminating: true }),
      endpoint('b', { ready: false, serving: false }),
    ]);
    expect(await bodies(10)).toEqual(['a']);
  });

  it('resets the client when the pod refuses, and remembers it was refused', async () => {
    const closedPort = await freePort();
    proxy.setEndpoints([{ ...endpoint('gone'), port: closedPort }]);
    const answer = await get(false);
    expect(answer.code).toBe('ECONNRESET');
    expect(proxy.connectionFrom(answer.localPort ?? 0)).toEqual({
      pod: 'gone',
      version: 'gone',
      outcome: 'refused',
    });
  });

  it('resets the client when there is no endpoint at all', async () => {
    proxy.setEndpoints([]);
    const answer = await get(false);
    expect(answer.code).toBe('ECONNRESET');
    expect(proxy.connectionFrom(answer.localPort ?? 0)).toEqual({ outcome: 'no-endpoint' });
  });
});
