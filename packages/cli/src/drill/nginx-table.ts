import { TRY_FAILURES } from './nginx-log.js';
import type { RunResult } from './run.js';

/**
 * The rows of the table that only an ingress has: what nginx's log says it hid from the clients
 * (a failed try, then an answer from another pod) and why its own 502/503/504 happened, by cause.
 */
export function ingressRows(runs: readonly RunResult[]): [string, (run: RunResult) => string][] {
  if (!runs.some((run) => run.ingress)) return [];
  const rows: [string, (run: RunResult) => string][] = [];
  const count = (value: number | undefined) => (value === undefined ? '-' : String(value));
  rows.push(['masked (nginx retried, 2xx)', (run) => count(run.ingress?.masked)]);
  for (const cause of TRY_FAILURES)
    if (runs.some((run) => (run.ingress?.maskedByCause[cause] ?? 0) > 0))
      rows.push([`  ${cause}`, (run) => count(run.ingress?.maskedByCause[cause])]);
  rows.push(["nginx's own 502/503/504", (run) => count(run.ingress?.proxyFailed)]);
  for (const cause of TRY_FAILURES)
    if (runs.some((run) => (run.ingress?.proxyFailedByCause[cause] ?? 0) > 0))
      rows.push([`  ${cause}`, (run) => count(run.ingress?.proxyFailedByCause[cause])]);
  if (runs.some((run) => (run.ingress?.proxyFailedPosts ?? 0) > 0))
    rows.push(['  of them POST', (run) => count(run.ingress?.proxyFailedPosts)]);
  return rows;
}

/** "; nginx retried 12 (masked)" for a verdict line, or nothing without an ingress. */
export function ingressVerdict(run: RunResult): string {
  if (!run.ingress) return '';
  const causes = TRY_FAILURES.filter((cause) => (run.ingress?.maskedByCause[cause] ?? 0) > 0)
    .map((cause) => `${run.ingress?.maskedByCause[cause]} ${cause}`)
    .join(', ');
  return `; nginx hid ${run.ingress.masked} more by retrying${causes ? ` (${causes})` : ''}`;
}
