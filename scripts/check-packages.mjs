#!/usr/bin/env node
// Checks every public package as npm would publish it: publint (exports, files, types) and
// "Are the types wrong?" under Node 16+ resolution (node10 is below our engines floor).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packages = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => existsSync(join(dir, 'package.json')))
  .filter((dir) => !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private);

let failures = 0;
for (const dir of packages) {
  for (const [command, ...args] of [
    ['publint', '--strict'],
    ['attw', '--pack', '.', '--profile', 'node16'],
  ]) {
    const run = spawnSync('pnpm', ['exec', command, ...args], { cwd: dir, stdio: 'inherit' });
    if (run.status !== 0) {
      failures += 1;
      console.error(`${command} failed for ${dir}`);
    }
  }
}
process.exit(failures === 0 ? 0 : 1);
