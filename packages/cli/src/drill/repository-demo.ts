import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DrillError } from './errors.js';
import { findUpwards } from './find-upwards.js';

// `--demo <name>`: a demo app of the lameduck repository, for `pnpm drill` there. The published
// CLI needs none of this: elsewhere the service is given as --manifest <file> -- <start command>.

export interface DemoLocation {
  name: string;
  directory: string;
  server: string;
  manifest: string;
}

/** apps/<demo>-demo of the lameduck repository, looked for from the current directory upwards. */
export function locateDemo(demo: string, cwd: string = process.cwd()): DemoLocation {
  const name = `${demo}-demo`;
  const marker = join('apps', name, 'package.json');
  const root = findUpwards(cwd, marker);
  if (root === undefined) {
    throw new DrillError(
      `cannot find apps/${name}: --demo runs inside the lameduck repository; give your own service with --manifest <file> -- <start command>`,
    );
  }
  const directory = join(root, 'apps', name);
  const server = join(directory, 'dist', 'server.js');
  if (!existsSync(server)) throw new DrillError(`${relative(cwd, server)} is missing: run pnpm build first`);
  return { name, directory, server, manifest: join(directory, 'k8s', 'manifests.yaml') };
}
