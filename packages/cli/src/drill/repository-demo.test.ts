import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateDemo } from './repository-demo.js';

/** A directory shaped like the lameduck repository with one demo, built or not. */
function repository(built: boolean): string {
  const root = mkdtempSync(join(tmpdir(), 'lameduck-repository-'));
  mkdirSync(join(root, 'apps', 'koa-demo', 'dist'), { recursive: true });
  writeFileSync(join(root, 'apps', 'koa-demo', 'package.json'), '{}');
  if (built) writeFileSync(join(root, 'apps', 'koa-demo', 'dist', 'server.js'), '');
  mkdirSync(join(root, 'packages', 'cli'), { recursive: true });
  return root;
}

describe('locateDemo', () => {
  it('finds apps/<name>-demo from the current directory upwards', () => {
    const root = repository(true);
    expect(locateDemo('koa', join(root, 'packages', 'cli'))).toEqual({
      name: 'koa-demo',
      directory: join(root, 'apps', 'koa-demo'),
      server: join(root, 'apps', 'koa-demo', 'dist', 'server.js'),
      manifest: join(root, 'apps', 'koa-demo', 'k8s', 'manifests.yaml'),
    });
  });

  it('says to build a demo that is not built', () => {
    const root = repository(false);
    expect(() => locateDemo('koa', root)).toThrow(
      'apps/koa-demo/dist/server.js is missing: run pnpm build first',
    );
  });

  it('outside the repository, names the flags that give a service instead', () => {
    expect(() => locateDemo('koa', mkdtempSync(join(tmpdir(), 'elsewhere-')))).toThrow(
      'cannot find apps/koa-demo: --demo runs inside the lameduck repository; give your own service with --manifest <file> -- <start command>',
    );
  });
});
