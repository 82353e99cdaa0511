import { createServer, type Server, type Socket } from 'node:net';
import { createNodeLameduck, type NodeLameduck } from '@lameduck/core/node';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDatabaseFromEnv, databaseRoute } from './database.js';

const quiet = { log() {}, error() {} };
const lameducks: NodeLameduck[] = [];
const servers: { server: Server; sockets: Set<Socket> }[] = [];

function lameduck() {
  const created = createNodeLameduck({ logger: false, signals: false, drainDelayMs: 0 });
  lameducks.push(created);
  return created;
}

/** Accepts TCP connections and never answers: a database behind a dead network path. */
async function blackHole() {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.resume(); // read and drop what the client sends, so that its FIN is seen
    socket.on('close', () => sockets.delete(socket));
  });
  servers.push({ server, sockets });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `postgres://demo:secret@127.0.0.1:${port}/demo`,
    open: () => sockets.size,
  };
}

afterEach(async () => {
  await Promise.all(lameducks.splice(0).map((each) => each.shutdown('test over')));
  for (const { server, sockets } of servers.splice(0)) {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('checkDatabaseFromEnv', () => {
  it('does nothing without DATABASE_URL', async () => {
    const ld = lameduck();
    expect(checkDatabaseFromEnv(ld, {}, quiet)).toBeUndefined();
    expect(checkDatabaseFromEnv(ld, { DATABASE_URL: '' }, quiet)).toBeUndefined();
    ld.ready();
    expect((await ld.probe('readiness')).checks.map((check) => check.name)).toEqual([]);
  });

  it.each(['mysql://db/app', 'db:5432', 'postgres://'])(
    'refuses %s as a configuration error that never echoes the URL',
    (url) => {
      const error = (() => {
        try {
          checkDatabaseFromEnv(lameduck(), { DATABASE_URL: url }, quiet);
        } catch (caught) {
          return caught as Error;
        }
      })();
      expect(error?.name).toBe('LameduckConfigError');
      expect(error?.message).toBe('DATABASE_URL must be a postgres:// or postgresql:// URL');
    },
  );

  it("registers the cleanup hook inside the cleanup budget: the hook never changes the startup check's verdict", () => {
    // 20000 ms drain timeout + lameduck's 350 ms + the 5000 ms cleanup budget + 1000 ms headroom.
    const fits = createNodeLameduck({
      logger: false,
      signals: false,
      drainDelayMs: 0,
      gracePeriodMs: 26_350,
    });
    lameducks.push(fits);
    expect(() =>
      checkDatabaseFromEnv(fits, { DATABASE_URL: 'postgres://127.0.0.1:1/x' }, quiet),
    ).not.toThrow();
  });

  it('fails readiness within the check timeout when the database never answers, and lets go of the connection soon after', async () => {
    const hole = await blackHole();
    const ld = lameduck();
    checkDatabaseFromEnv(ld, { DATABASE_URL: hole.url, LAMEDUCK_CHECK_TIMEOUT_MS: '300' }, quiet);
    ld.ready();
    const startedAt = performance.now();
    const report = await ld.probe('readiness');
    const elapsedMs = performance.now() - startedAt;
    expect(report.status).toBe('fail');
    expect(report.checks).toMatchObject([{ name: 'postgres', status: 'fail' }]);
    expect(elapsedMs).toBeLessThan(1_000);
    // pg cannot abort from the signal, but the check's own timeouts (80% of the check's) end
    // the attempt: the half-open connection is closed by the client, not left to pile up.
    const deadline = Date.now() + 2_000;
    while (hole.open() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hole.open()).toBe(0);
  });

  it('closes the pool in the cleanup hook, and the shutdown stays clean', async () => {
    const hole = await blackHole();
    const lines: string[] = [];
    const ld = lameduck();
    checkDatabaseFromEnv(ld, { DATABASE_URL: hole.url }, { log: (line) => lines.push(line), error() {} });
    const result = await ld.shutdown('test');
    // Not exitCode: the fake database listening in this test process is a server lameduck would
    // (rightly) report as not attached.
    expect(result).toMatchObject({ forced: false, failedHooks: [] });
    expect(lines).toEqual(['postgres pool closed']);
  });
});

describe('databaseRoute', () => {
  it.each([undefined, 'abc', '-1', '1.5', '999999'])('answers 400 to ms=%o', async (raw) => {
    expect(await databaseRoute({ sleep: async () => {} }, raw, quiet)).toMatchObject({ status: 400 });
  });

  it('answers 503 when no database is configured', async () => {
    expect(await databaseRoute(undefined, '10', quiet)).toEqual({
      status: 503,
      body: 'no database: set DATABASE_URL\n',
    });
  });

  it('answers 503 without details when the query fails, and logs why', async () => {
    const errors: string[] = [];
    const failing = { sleep: async () => Promise.reject(new Error('connection refused')) };
    expect(await databaseRoute(failing, '10', { log() {}, error: (line) => errors.push(line) })).toEqual({
      status: 503,
      body: 'database unavailable\n',
    });
    expect(errors).toEqual(['/db: connection refused']);
  });
});
