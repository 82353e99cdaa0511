import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../../scripts/postgres.sh', import.meta.url));

/** Runs scripts/postgres.sh; resolves with its stdout, rejects with its stderr. */
function postgresScript(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [SCRIPT, ...args], { timeout: 15 * 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`scripts/postgres.sh ${args[0]}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}

export interface TestPostgres {
  readonly url: string;
  /** Its directory: data, log, socket. */
  readonly dir: string;
  /** Stops the server (open connections are cut), as an outage would. */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  resume(): Promise<void>;
  /** Stops it and removes its directory. */
  destroy(): Promise<void>;
}

export type TestPostgresResult = { postgres: TestPostgres } | { skipReason: string; installMs: number };

/**
 * A real PostgreSQL server for a test run, on a free loopback port, in a directory of its own
 * (scripts/postgres.sh). When the binaries are missing they are installed from Debian's
 * packages first; only if that install fails is the answer a reason to skip — loudly. Any
 * failure after a successful install (initdb, start) throws.
 */
export async function startTestPostgres(
  log: (line: string) => void = console.log,
): Promise<TestPostgresResult> {
  const installStartedAt = performance.now();
  try {
    const output = await postgresScript('install');
    for (const line of output.trim().split('\n')) log(line);
  } catch (error) {
    const installMs = Math.round(performance.now() - installStartedAt);
    return { skipReason: `PostgreSQL could not be installed: ${(error as Error).message}`, installMs };
  }
  // Directly under /tmp, not TMPDIR: the server runs as the postgres user, which must reach it.
  const dir = mkdtempSync('/tmp/lameduck-postgres-');
  try {
    const url = (await postgresScript('start', dir)).trim().split('\n').at(-1) ?? '';
    return { postgres: testPostgresAt(dir, url) };
  } catch (error) {
    await postgresScript('destroy', dir).catch(() => {});
    throw error;
  }
}

/** Controls a server that startTestPostgres started (from another process: a test file). */
export function testPostgresAt(dir: string, url: string): TestPostgres {
  return {
    url,
    dir,
    stop: async () => void (await postgresScript('stop', dir)),
    resume: async () => void (await postgresScript('resume', dir)),
    destroy: async () => void (await postgresScript('destroy', dir)),
  };
}

/** Prints a skip reason so that nobody misses it in a long log. */
export function announceSkip(what: string, reason: string, write: (text: string) => void): void {
  const bar = '!'.repeat(100);
  write(`\n${bar}\n!!! SKIPPED: ${what}\n!!! ${reason}\n${bar}\n\n`);
}
