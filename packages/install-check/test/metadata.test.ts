import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// What the npm page of each public package shows: links that work from there.
const root = fileURLToPath(new URL('../../..', import.meta.url));
const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const repository = String(rootManifest.repository.url)
  .replace(/^git\+/, '')
  .replace(/\.git$/, '');
const publicPackages = readdirSync(join(root, 'packages'))
  .map((name) => ({ name, dir: join(root, 'packages', name) }))
  .filter(({ dir }) => existsSync(join(dir, 'package.json')))
  .map(({ name, dir }) => ({
    name,
    dir,
    manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')),
  }))
  .filter(({ manifest }) => !manifest.private);

describe.each(publicPackages)('$manifest.name', ({ name, dir, manifest }) => {
  it('names its repository, homepage and issue tracker', () => {
    expect(manifest.repository).toEqual({
      type: 'git',
      url: `git+${repository}.git`,
      directory: `packages/${name}`,
    });
    expect(manifest.homepage).toBe(`${repository}/tree/main/packages/${name}#readme`);
    expect(manifest.bugs).toEqual({ url: `${repository}/issues` });
  });

  it('has a README whose links work from the npm page (relative links only to files it ships)', () => {
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] as string);
    const shipped = (link: string) => {
      const path = link.split('#')[0] as string;
      const top = path.split('/')[0] as string;
      return (manifest.files as string[]).includes(top) && existsSync(join(dir, path));
    };
    const broken = links.filter((link) => !/^(https?:\/\/|#|mailto:)/.test(link) && !shipped(link));
    expect(broken).toEqual([]);
  });
});
