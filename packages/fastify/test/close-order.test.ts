// The ordering Fastify users get wrong with a plain close-on-SIGTERM: the database pool, closed in
// an onClose hook, must outlive the last request. A real child process, a real SIGTERM.
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { killAllChildren, request, spawnNode } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/pool-server.mjs', import.meta.url));

describe.each([
  ['fastify 5', 'fastify'],
  ['fastify 4', 'fastify4'],
])('%s: onClose hooks run after the last response', (_name, moduleName) => {
  afterEach(killAllChildren);

  it('a query in flight across SIGTERM succeeds; the pool closes after its response; exit 0', async () => {
    const child = spawnNode(fixture, { env: { FASTIFY: moduleName, DRAIN_DELAY_MS: '300' } });
    const { port } = await child.waitForEvent('listening');
    const query = request(`http://127.0.0.1:${port}/query?ms=1200`);
    await child.waitForEvent('query-started');
    child.signal('SIGTERM');
    await child.waitForEvent('state');
    await sleep(100);
    // Still serving during the drain: the pool is open for requests that arrive now.
    expect(await request(`http://127.0.0.1:${port}/query?ms=10`)).toMatchObject({
      status: 200,
      body: 'rows',
    });

    expect(await query).toMatchObject({ status: 200, body: 'rows' });
    expect(await child.exited).toMatchObject({ code: 0, signal: null });
    const at = (name: string) => child.events(name).at(-1)?.at as number;
    expect(child.events('pool-closed')).toHaveLength(1);
    expect(at('response-finished')).toBeLessThan(at('pool-closing'));
    expect(child.events('state').map((event) => event.to)).toEqual(['ready', 'draining', 'closed']);
  });

  it('a pool closed in onClose is closed even when nothing was in flight', async () => {
    const child = spawnNode(fixture, { env: { FASTIFY: moduleName } });
    await child.waitForEvent('listening');
    child.signal('SIGTERM');
    expect(await child.exited).toMatchObject({ code: 0, signal: null });
    expect(child.events('pool-closed')).toHaveLength(1);
  });
});
