#!/usr/bin/env node
// Runs every package's tests through turbo, then prints one plain closing line that CI reads:
// "N passed, N failed, N skipped", summed from each package's vitest JSON report.
// The exit status is turbo's (non-zero if any package failed), never hidden.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const workspaces = ['packages', 'apps', 'bench']
  .filter((dir) => existsSync(join(root, dir)))
  .flatMap((dir) =>
    dir === 'bench' ? [join(root, dir)] : readdirSync(join(root, dir)).map((name) => join(root, dir, name)),
  )
  .filter((dir) => existsSync(join(dir, 'package.json')));

for (const dir of workspaces) rmSync(join(dir, '.vitest-report.json'), { force: true });

const turbo = spawnSync(
  'pnpm',
  ['exec', 'turbo', 'run', 'test', '--continue', '--log-prefix=none', ...process.argv.slice(2)],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
);

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const dir of workspaces) {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (!manifest.scripts?.test) continue;
  const reportPath = join(dir, '.vitest-report.json');
  if (!existsSync(reportPath)) {
    missing.push(manifest.name);
    continue;
  }
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
if (missing.length > 0) {
  console.log(`no test report from: ${missing.join(', ')} (counted as 1 failure each)`);
  failed += missing.length;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(turbo.status === 0 && failed === 0 ? 0 : 1);
