import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type TestProjectConfiguration } from 'vitest/config';
import shared from './vitest.shared.ts';

/**
 * One config for every package's tests: `npx vitest run` here runs them all, one project per
 * workspace package that has a `test` script. Each project is `vitest.shared.ts` rooted in its
 * package, or the package's own `vitest.config.ts` where it adds something (a global setup,
 * longer timeouts).
 *
 * Vitest looks for a config from the current directory upwards, so `pnpm test` (turbo runs
 * `vitest run` in each package) and `cd packages/core && npx vitest run src/checks.test.ts`
 * land here too. Run from inside a package, the projects narrow to that package: the file
 * filter then means that package's files, and `.vitest-report.json` is written in the package,
 * where scripts/test.mjs reads it. (Without the narrowing, the projects' paths would not resolve
 * from there and vitest stops with "No projects were found".)
 */
const repository = fileURLToPath(new URL('.', import.meta.url));
const sharedFile = join(repository, 'vitest.shared.ts');

const workspaces = ['packages', 'apps']
  .flatMap((folder) => readdirSync(join(repository, folder)).map((name) => join(repository, folder, name)))
  .concat(join(repository, 'bench'))
  .filter((dir) => {
    const manifest = join(dir, 'package.json');
    return existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test !== undefined;
  });

function project(dir: string): TestProjectConfiguration {
  const own = join(dir, 'vitest.config.ts');
  if (existsSync(own)) return own;
  const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string };
  return { extends: sharedFile, root: dir, test: { name } };
}

const cwd = process.cwd();
const current = workspaces.find((dir) => cwd === dir || cwd.startsWith(`${dir}${sep}`));

export default defineConfig({
  test: {
    projects: (current === undefined ? workspaces : [current]).map(project),
    // Reporters are global, never per project: the shared ones, so each package's run writes its report.
    reporters: shared.test?.reporters,
  },
});
