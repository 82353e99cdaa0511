import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killAllChildren, request, spawnNode } from 'lameduck-test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// What a user gets from npm: every public package packed as it would be published (pnpm pack
// rewrites workspace: ranges), installed with npm beside each framework into a fresh project.
const root = fileURLToPath(new URL('../../..', import.meta.url));
const fixtures = fileURLToPath(new URL('../fixtures', import.meta.url));
const publicPackages = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name))
  .filter((dir) => {
    try {
      return !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private;
    } catch {
      return false;
    }
  });
const frameworks = ['express@5', 'koa@3', 'hono@4', '@hono/node-server@2', 'fastify@5'];

let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'lameduck-install-'));
  const tarballs = publicPackages.map((dir) => {
    const output = execFileSync('pnpm', ['pack', '--pack-destination', project], {
      cwd: dir,
      encoding: 'utf8',
    });
    return output.trim().split('\n').at(-1) as string;
  });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true }));
  execFileSync(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      '--prefer-offline',
      ...tarballs,
      ...frameworks,
    ],
    { cwd: project, stdio: 'pipe' },
  );
  for (const file of readdirSync(fixtures)) copyFileSync(join(fixtures, file), join(project, file));
});

afterEach(killAllChildren);
afterAll(() => rmSync(project, { recursive: true, force: true }));

const node = (args: string[]) =>
  execFileSync(process.execPath, args, { cwd: project, encoding: 'utf8' }).trim();

describe('the packed packages, installed with npm', () => {
  it('packs every public package', () => {
    expect(publicPackages.map((dir) => dir.split('/').at(-1)).sort()).toEqual(
      expect.arrayContaining(['cli', 'core', 'express', 'fastify', 'hono', 'koa', 'nestjs']),
    );
  });

  it.each([
    ['@lameduck/core', 'createLameduck'],
    ['@lameduck/core/node', 'createNodeLameduck'],
    ['@lameduck/express', 'createLameduck'],
    ['@lameduck/koa', 'createLameduck'],
    ['@lameduck/hono', 'createLameduck'],
    ['@lameduck/hono/fetch', 'createLameduck'],
    ['@lameduck/hono/bun', 'createLameduck'],
    ['@lameduck/hono/deno', 'createLameduck'],
    ['@lameduck/fastify', 'createLameduck'],
    ['@lameduck/nestjs', 'createLameduck'],
  ])('%s loads with import and with require', (name, exported) => {
    expect(
      node(['--input-type=module', '-e', `import * as m from '${name}'; console.log(typeof m.${exported})`]),
    ).toBe('function');
    expect(node(['--input-type=commonjs', '-e', `console.log(typeof require('${name}').${exported})`])).toBe(
      'function',
    );
  });

  it('installs the bins: lameduck and lameduck-probe', () => {
    const bin = join(project, 'node_modules', '.bin');
    expect(node([join(bin, 'lameduck'), '--version'])).toMatch(/^\d+\.\d+\.\d+/);
    let exitCode = 0;
    try {
      execFileSync(process.execPath, [join(bin, 'lameduck-probe')], { cwd: project, stdio: 'pipe' });
    } catch (error) {
      exitCode = (error as { status: number }).status;
    }
    expect(exitCode).toBe(2); // usage error: no URL given
  });

  it.each([
    ['express', 'express-server.cjs'],
    ['koa', 'koa-server.mjs'],
    ['hono', 'hono-server.mjs'],
    ['fastify', 'fastify-server.mjs'],
  ])('%s serves a request and drains on SIGTERM from the installed copy', async (framework, file) => {
    const child = spawnNode(file, { cwd: project });
    const line = await child.waitForLine(/^listening on port \d+$/);
    const url = `http://127.0.0.1:${line.split(' ').at(-1)}`;
    expect(await request(`${url}/`)).toMatchObject({ status: 200, body: `hello from ${framework}` });
    expect((await request(`${url}/readyz`)).status).toBe(200);
    child.signal('SIGTERM');
    expect(await child.exited).toMatchObject({ code: 0, signal: null });
    expect(child.lines).toContainEqual(expect.stringContaining('exit code 0'));
  });
});
