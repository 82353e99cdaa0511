import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createLameduck, type LameduckEnv } from '../src/fetch.js';

describe('@lameduck/hono/fetch', () => {
  it('pulls in neither a node: module nor the Node drain engine, and never reads process', async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../src/fetch.ts', import.meta.url))],
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'neutral',
      external: ['hono', 'hono/*'],
      alias: { '@lameduck/core': fileURLToPath(new URL('../../core/src/index.ts', import.meta.url)) },
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((input) => input.includes('core/src/lameduck.ts'))).toBe(true);
    expect(inputs.filter((input) => input.startsWith('node:') || input.includes('/src/node/'))).toEqual([]);
    expect(result.outputFiles[0]!.text).not.toMatch(/\bprocess\b/);
  });

  it('answers the probes through app.request(), with a deadline signal that never aborts', async () => {
    const lameduck = createLameduck({ logger: false });
    const app = new Hono<LameduckEnv>();
    app.use(lameduck.middleware());
    app.get('/work', (context) => context.text(String(context.var.deadlineSignal.aborted)));
    expect((await app.request('/readyz')).status).toBe(503);
    lameduck.ready();
    expect(await (await app.request('/readyz?verbose')).text()).toBe(
      '[+]lifecycle ok\nreadiness check passed\n',
    );
    expect((await app.request('/livez', { method: 'POST' })).headers.get('allow')).toBe('GET, HEAD');
    expect(await (await app.request('/work')).text()).toBe('false');
  });
});
