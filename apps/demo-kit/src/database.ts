import { ENVIRONMENT } from '@lameduck/core';
import { optionsFromEnv } from '@lameduck/core/node';
import { Pool, type PoolConfig } from 'pg';
import { parseSlowMs, SLOW_USAGE } from './slow.js';

/** What checkDatabaseFromEnv needs of a lameduck: a readiness check and a cleanup hook. */
interface DatabaseLameduck {
  check(name: string, fn: (signal: AbortSignal) => Promise<void>, options: { timeoutMs: number }): unknown;
  onCleanup(name: string, fn: () => Promise<void>): unknown;
}

export interface DemoDatabase {
  /** `select pg_sleep(ms / 1000)` on a pooled connection: a request that holds the pool. */
  sleep(ms: number): Promise<void>;
}

/** A route's answer, for each framework to send as text. */
export interface DemoResponse {
  status: number;
  body: string;
}

type Log = Pick<Console, 'log' | 'error'>;

/**
 * When DATABASE_URL is set: a `pg` pool for the app, a readiness check `postgres` (`select 1`),
 * and a cleanup hook `postgres-pool` that closes the pool after the last response (lameduck
 * runs cleanup hooks once the drain is over, so a request in flight at SIGTERM still has it).
 * Returns undefined when DATABASE_URL is not set.
 *
 * The check has its own one-connection pool, with every timeout below the check's: pg cannot
 * cancel a query from an AbortSignal, so the connect, the server-side statement and the client's
 * wait all end by themselves shortly after lameduck abandons the check — abandoned checks never
 * pile up. Its own pool also means a busy app pool (every connection in a slow query) does not
 * fail readiness: readiness asks "can this pod reach its database", not "is it idle".
 */
export function checkDatabaseFromEnv(
  lameduck: DatabaseLameduck,
  env: Readonly<Record<string, string | undefined>>,
  log: Log = console,
): DemoDatabase | undefined {
  const url = env.DATABASE_URL;
  if (url === undefined || url === '') return undefined;
  if (!/^postgres(ql)?:\/\/./.test(url) || !URL.canParse(url)) {
    // Never echo the URL: it usually holds a password.
    throw Object.assign(new Error('DATABASE_URL must be a postgres:// or postgresql:// URL'), {
      name: 'LameduckConfigError',
    });
  }
  const checkTimeoutMs = optionsFromEnv(env).checkTimeoutMs ?? ENVIRONMENT.checkTimeoutMs.defaultMs;
  const checkQueryTimeoutMs = Math.max(10, Math.floor(checkTimeoutMs * 0.8));

  const common: PoolConfig = { connectionString: url, application_name: 'lameduck-demo' };
  const pool = new Pool({ ...common, max: 10, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
  const checkPool = new Pool({
    ...common,
    max: 1,
    connectionTimeoutMillis: checkQueryTimeoutMs,
    statement_timeout: checkQueryTimeoutMs,
    query_timeout: checkQueryTimeoutMs,
  });
  // An idle connection that the server closes (a restart, a failover) is an 'error' on its pool;
  // unhandled, it would crash the process. The pool drops it and connects again when asked.
  for (const each of [pool, checkPool]) {
    each.on('error', (error) => log.error(`postgres: idle connection lost: ${error.message}`));
  }

  lameduck.check(
    'postgres',
    async (signal) => {
      signal.throwIfAborted();
      await checkPool.query('select 1');
    },
    { timeoutMs: checkTimeoutMs },
  );
  lameduck.onCleanup('postgres-pool', async () => {
    // end() waits for checked-out connections to be released, then closes every connection.
    await Promise.all([pool.end(), checkPool.end()]);
    log.log('postgres pool closed');
  });

  return {
    async sleep(ms) {
      await pool.query('select pg_sleep($1::float8 / 1000)', [ms]);
    },
  };
}

/** `GET /db?ms=N`: holds a pooled connection for N ms in `pg_sleep`. */
export async function databaseRoute(
  database: DemoDatabase | undefined,
  rawMs: unknown,
  log: Log = console,
): Promise<DemoResponse> {
  const ms = parseSlowMs(rawMs);
  if (ms === undefined) return { status: 400, body: SLOW_USAGE };
  if (database === undefined) return { status: 503, body: 'no database: set DATABASE_URL\n' };
  try {
    await database.sleep(ms);
    return { status: 200, body: `slept ${ms} ms in postgres\n` };
  } catch (error) {
    log.error(`/db: ${(error as Error).message}`);
    return { status: 503, body: 'database unavailable\n' };
  }
}
