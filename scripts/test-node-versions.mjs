#!/usr/bin/env node
// Runs the drain tests that use real child processes and real signals under other Node majors
// (default 22, 24 and 26; this machine's own Node runs them in `pnpm test`). Each version's binary
// comes from the `node` package on the npm registry through npx, so nothing is installed
// globally. The tests spawn their fixtures with process.execPath, so the servers being drained
// run on that version too. Needs a build first (`pnpm build`): fixtures import the built package.
//
//   pnpm test:node-versions            # Node 22, 24 and 26
//   pnpm test:node-versions 22 24 25   # any majors
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const versions = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['22', '24', '26'];
const suites = [
  // @lameduck/core: every test/drain-*.test.ts (signals, load, hooks, HTTP/2, WebSocket, SSE).
  { name: '@lameduck/core drain tests', dir: 'packages/core', filter: 'test/drain-', built: 'dist/node.js' },
  // @lameduck/grpc: grpc-js on Node's HTTP/2 server, whose close() changed in Node 24.
  { name: '@lameduck/grpc drain tests', dir: 'packages/grpc', filter: 'test/', built: 'dist/index.js' },
  { name: 'node-demo black box', dir: 'apps/node-demo', filter: 'test/contract', built: 'dist/server.js' },
];

for (const suite of suites) {
  if (!existsSync(join(root, suite.dir, suite.built))) {
    console.error(`${suite.dir}/${suite.built} is missing: run \`pnpm build\` first`);
    process.exit(2);
  }
}

const results = [];
const startedAt = performance.now();
for (const version of versions) {
  for (const suite of suites) {
    // Vitest, run in the package, writes this report there (scripts/test.mjs reads it the same way).
    const report = join(root, suite.dir, '.vitest-report.json');
    rmSync(report, { force: true });
    const suiteStartedAt = performance.now();
    const run = spawnSync(
      'npx',
      [
        '--yes',
        '--package',
        `node@${version}`,
        'node',
        join(root, 'node_modules/vitest/vitest.mjs'),
        'run',
        suite.filter,
      ],
      {
        cwd: join(root, suite.dir),
        stdio: ['ignore', 'inherit', 'inherit'],
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    const seconds = (performance.now() - suiteStartedAt) / 1000;
    const counts = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : undefined;
    const nodeVersion = spawnSync('npx', ['--yes', '--package', `node@${version}`, 'node', '--version'], {
      encoding: 'utf8',
    }).stdout.trim();
    results.push({
      node: nodeVersion || `node@${version}`,
      suite: suite.name,
      passed: counts?.numPassedTests ?? 0,
      // A run that failed without a failing test (a file that did not load) counts as one failure.
      failed: Math.max(counts?.numFailedTests ?? 0, run.status === 0 ? 0 : 1),
      seconds: Number(seconds.toFixed(1)),
      status: run.status === 0 ? 'ok' : `exit ${run.status}`,
    });
  }
}

console.log(
  `\nDrain tests on other Node versions (${((performance.now() - startedAt) / 1000).toFixed(1)} s in all):`,
);
console.table(results);
const passed = results.reduce((sum, row) => sum + row.passed, 0);
const failed = results.reduce((sum, row) => sum + row.failed, 0);
// Worded so it is not mistaken for the closing line of `pnpm test`, which .ci/run prints last.
console.log(`other Node versions (${versions.join(', ')}): ${passed} tests passed and ${failed} failed`);
process.exit(failed === 0 && results.every((row) => row.status === 'ok') ? 0 : 1);
