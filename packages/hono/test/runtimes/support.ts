// Where the runtimes come from (the root package.json installs them from npm), and how a
// fixture becomes one self-contained ESM file each runtime can run without resolving modules.
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

export type RuntimeName = 'bun' | 'deno' | 'workerd';

const BINARIES: Record<RuntimeName, { path: string; from: string }> = {
  bun: { path: 'node_modules/@oven/bun-linux-x64/bin/bun', from: '@oven/bun-linux-x64' },
  // deno's launcher depends on its platform's package, which holds the binary.
  deno: { path: 'deno → @deno/linux-x64-glibc/deno', from: 'deno (@deno/linux-x64-glibc)' },
  workerd: {
    path: 'node_modules/@cloudflare/workerd-linux-64/bin/workerd',
    from: '@cloudflare/workerd-linux-64',
  },
};

export type Located = { binary: string; skipReason?: undefined } | { binary?: undefined; skipReason: string };

/**
 * The runtime's binary. Off linux-x64 the packages pinned here do not install: skip, saying why.
 * On linux-x64 a missing binary is a broken install, and the tests fail naming it.
 */
export function locateRuntime(name: RuntimeName): Located {
  const { path, from } = BINARIES[name];
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return {
      skipReason: `${name} is installed for linux-x64 only (${from}); this is ${process.platform}-${process.arch}`,
    };
  }
  if (name === 'deno') return { binary: denoBinary() };
  return { binary: join(root, path) };
}

function denoBinary(): string {
  try {
    const fromDeno = createRequire(join(root, 'node_modules/deno/package.json'));
    return join(dirname(fromDeno.resolve('@deno/linux-x64-glibc/package.json')), 'deno');
  } catch {
    return join(root, 'node_modules/@deno/linux-x64-glibc/deno (not installed)');
  }
}

/** Throws a one-line reason when the binary is not where the install puts it. */
export function assertInstalled(name: RuntimeName, binary: string): void {
  if (!existsSync(binary)) {
    throw new Error(
      `${name} is missing at ${binary}: the root package.json installs it from npm (${BINARIES[name].from}); run pnpm install`,
    );
  }
}

/** Bundles a fixture (hono, the adapter and core from source) into one ESM file; returns its path. */
export async function bundleFixture(fixture: string, platform: 'neutral' | 'browser', outName: string) {
  const dir = mkdtempSync(join(tmpdir(), 'lameduck-runtime-'));
  const outfile = join(dir, outName);
  await build({
    entryPoints: [fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url))],
    outfile,
    bundle: true,
    format: 'esm',
    platform,
    target: 'es2022',
    mainFields: ['module', 'main'],
    conditions: ['import', 'default'],
    alias: { '@lameduck/core': join(root, 'packages/core/src/index.ts') },
    logLevel: 'silent',
  });
  return { dir, outfile };
}
