import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DrillError } from './errors.js';
import { findUpwards } from './find-upwards.js';

/**
 * The naive service of the `naive` and `naive-prestop` runs: baselines/naive-server.mjs, shipped in
 * the package beside dist/. Looked for from this file upwards: src/drill/ in tests, dist/ once bundled.
 */
export function naiveServerPath(): string {
  const file = join('baselines', 'naive-server.mjs');
  const root = findUpwards(dirname(fileURLToPath(import.meta.url)), file);
  if (root === undefined) throw new DrillError(`cannot find ${file} next to the lameduck CLI`);
  return join(root, file);
}
