import { httpCheck, LameduckConfigError } from '@lameduck/core';

interface Checks {
  check(name: string, fn: ReturnType<typeof httpCheck>, options: { timeoutMs: number }): unknown;
}

/** The demo's readiness check against a real upstream, when READY_DEPENDENCY_URL names one. */
export function checkDependencyFromEnv(
  lameduck: Checks,
  env: Readonly<Record<string, string | undefined>>,
): void {
  const url = env.READY_DEPENDENCY_URL;
  if (url === undefined || url === '') return;
  try {
    lameduck.check('dependency', httpCheck(url), { timeoutMs: 800 });
  } catch (error) {
    throw new LameduckConfigError(`READY_DEPENDENCY_URL: ${(error as Error).message}`);
  }
}

/**
 * Runs a demo's startup. A configuration mistake (a LameduckConfigError: bad DRAIN_* value, bad
 * PORT, a budget that cannot fit) or a port already in use is one line on stderr and exit 2 — never
 * a stack trace. Anything else is a bug and crashes loudly.
 */
export function runDemo(name: string, start: () => Promise<number>): void {
  start().then(
    (port) => console.log(`${name} listening on port ${port}`),
    (error: Error) => {
      if (error?.name === 'LameduckConfigError' || /^cannot listen on /.test(error?.message ?? '')) {
        process.stderr.write(`${name}: ${error.message}\n`);
        process.exit(2);
      }
      throw error;
    },
  );
}
