import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DrillError } from './errors.js';

/** The first directory from `start` upwards that holds `path`, or undefined. */
export function findUpwards(start: string, path: string): string | undefined {
  let directory = start;
  for (;;) {
    if (existsSync(join(directory, path))) return directory;
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/** This file's directory: src/drill/ in tests, dist/ once bundled. */
const here = dirname(fileURLToPath(import.meta.url));

export interface DemoLocation {
  name: string;
  directory: string;
  server: string;
  manifest: string;
}

/**
 * A demo app of the lameduck repository: looked for from the current directory upwards, then
 * from where the CLI itself is (packages/cli inside the repository).
 */
export function locateDemo(demo: string, cwd: string = process.cwd()): DemoLocation {
  const name = `${demo}-demo`;
  const marker = join('apps', name, 'package.json');
  const root = findUpwards(cwd, marker) ?? findUpwards(here, marker);
  if (!root) {
    throw new DrillError(
      `cannot find apps/${name}: run inside the lameduck repository, or give your own service with --manifest <file> -- <start command>`,
    );
  }
  const directory = join(root, 'apps', name);
  const server = join(directory, 'dist', 'server.js');
  if (!existsSync(server)) throw new DrillError(`${relative(cwd, server)} is missing: run pnpm build first`);
  return { name, directory, server, manifest: join(directory, 'k8s', 'manifests.yaml') };
}

/** The naive service shipped in the package's fixtures/ directory. */
export function locateNaiveServer(): string {
  const path = join('fixtures', 'naive-server.mjs');
  const root = findUpwards(here, path);
  if (!root) throw new DrillError(`cannot find ${path} next to the lameduck CLI`);
  return join(root, path);
}
