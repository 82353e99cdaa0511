import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The first directory from `start` upwards that holds `path`, or undefined. */
export function findUpwards(start: string, path: string): string | undefined {
  for (let directory = start; ; directory = dirname(directory)) {
    if (existsSync(join(directory, path))) return directory;
    if (dirname(directory) === directory) return undefined;
  }
}
