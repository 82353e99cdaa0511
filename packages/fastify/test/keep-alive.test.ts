import type { Server } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createLameduck } from '../src/index.js';
import { FASTIFY_VERSIONS } from './frameworks.js';

const QUIET = { signals: false, exitOnSignal: false, env: false, drainDelayMs: 0 } as const;

describe.each(FASTIFY_VERSIONS)('%s: keep-alive timeout', (_name, fastify) => {
  it("keeps Fastify's own 72 s, longer than lameduck's default, and says so", async () => {
    const lines: string[] = [];
    const logger = { info: (line: string) => lines.push(line), warn() {}, error() {} };
    const lameduck = createLameduck({ ...QUIET, logger });
    const app = fastify();
    await app.register(lameduck.plugin());
    const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1' });
    expect((server as Server).keepAliveTimeout).toBe(72_000);
    expect(lines).toContainEqual(
      expect.stringMatching(
        /keep-alive timeout 72000 ms: the server's own .* longer than lameduck's default 65000 ms/,
      ),
    );
    await lameduck.shutdown('test finished');
  });

  it("applies keepAliveTimeoutMs as set, lower than Fastify's too", async () => {
    const lameduck = createLameduck({ ...QUIET, logger: false, keepAliveTimeoutMs: 61_000 });
    const app = fastify();
    await app.register(lameduck.plugin());
    const server = await lameduck.listen(app, { port: 0, host: '127.0.0.1' });
    expect((server as Server).keepAliveTimeout).toBe(61_000);
    await lameduck.shutdown('test finished');
  });
});
