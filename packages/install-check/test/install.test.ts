import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { killAllChildren, request, spawnNode } from 'lameduck-test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

// What a user gets from npm: every public package packed as it would be published (pnpm pack
// rewrites workspace: ranges), installed with npm beside each framework into a fresh project.
const execFileAsync = promisify(execFile);
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
// @types/node: what a TypeScript user has beside the packages, for the README's TypeScript example.
const frameworks = [
  'express@5',
  'koa@3',
  'hono@4',
  '@hono/node-server@2',
  'fastify@5',
  '@grpc/grpc-js@1',
  '@types/node@20',
];

/** `npm install` of tarballs and registry packages into a user's project, quietly. */
const npmInstall = (dir: string, packages: string[]) =>
  execFileSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline', ...packages],
    {
      cwd: dir,
      stdio: 'pipe',
    },
  );

let project: string;
let tarballs: string[];

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'lameduck-install-'));
  tarballs = publicPackages.map((dir) => {
    const output = execFileSync('pnpm', ['pack', '--pack-destination', project], {
      cwd: dir,
      encoding: 'utf8',
    });
    return output.trim().split('\n').at(-1) as string;
  });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true }));
  npmInstall(project, [...tarballs, ...frameworks]);
  for (const file of readdirSync(fixtures)) copyFileSync(join(fixtures, file), join(project, file));
});

afterEach(killAllChildren);
afterAll(() => rmSync(project, { recursive: true, force: true }));

const node = (args: string[]) =>
  execFileSync(process.execPath, args, { cwd: project, encoding: 'utf8' }).trim();

describe('the packed packages, installed with npm', () => {
  it('packs every public package', () => {
    expect(publicPackages.map((dir) => dir.split('/').at(-1)).sort()).toEqual(
      expect.arrayContaining([
        'cli',
        'core',
        'express',
        'fastify',
        'grpc',
        'hono',
        'koa',
        'nestjs',
        'opentelemetry',
      ]),
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
    ['@lameduck/grpc', 'createLameduck'],
    // Its peer @opentelemetry/api comes along: npm installs peer dependencies.
    ['@lameduck/opentelemetry', 'instrumentLameduck'],
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

/** The examples a package README marks with `<!-- example: NAME -->`, as npm users read them. */
function readmeExamples(packageName: string): Map<string, string> {
  const readme = readFileSync(join(project, 'node_modules', packageName, 'README.md'), 'utf8');
  const examples = new Map<string, string>();
  for (const match of readme.matchAll(/<!-- example: ([\w.-]+) -->\n```\w+\n([\s\S]*?)```/g)) {
    examples.set(match[1] as string, match[2] as string);
  }
  return examples;
}

describe('the README examples, copied verbatim from the installed packages', () => {
  let upstream: Server;
  let upstreamUrl: string;
  beforeAll(async () => {
    upstream = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/healthz`;
  });
  afterAll(() => upstream.close());

  it('every adapter README marks its examples', () => {
    expect([...readmeExamples('@lameduck/express').keys()]).toEqual(['express.mjs', 'express.cjs']);
    expect([...readmeExamples('@lameduck/koa').keys()]).toEqual(['koa.mjs']);
    expect([...readmeExamples('@lameduck/hono').keys()]).toEqual(['hono.ts']);
    expect([...readmeExamples('@lameduck/fastify').keys()]).toEqual(['fastify.mjs']);
    expect([...readmeExamples('@lameduck/grpc').keys()]).toEqual(['grpc.mjs']);
  });

  it('the TypeScript example for Hono type-checks under strict mode (c.var.deadlineSignal is typed)', () => {
    // .mts: an ES module whatever the project's package.json says, compiled to compiled/hono.mjs.
    writeFileSync(join(project, 'hono.mts'), readmeExamples('@lameduck/hono').get('hono.ts') as string);
    const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
    const compile = (extra: string[]) =>
      execFileSync(
        process.execPath,
        [
          tsc,
          '--strict',
          '--target',
          'es2022',
          '--module',
          'nodenext',
          '--moduleResolution',
          'nodenext',
          '--lib',
          'es2022,dom',
          '--skipLibCheck',
          ...extra,
          'hono.mts',
        ],
        { cwd: project, encoding: 'utf8', stdio: 'pipe' },
      );
    try {
      compile(['--noEmit']);
      compile(['--outDir', 'compiled']);
    } catch (error) {
      throw new Error(`tsc failed:\n${(error as { stdout?: string }).stdout ?? String(error)}`);
    }
  });

  it.each([
    ['@lameduck/express', 'express.mjs', 'express.mjs'],
    ['@lameduck/express', 'express.cjs', 'express.cjs'],
    ['@lameduck/koa', 'koa.mjs', 'koa.mjs'],
    ['@lameduck/hono', 'hono.ts', 'compiled/hono.mjs'],
    ['@lameduck/fastify', 'fastify.mjs', 'fastify.mjs'],
  ])(
    "%s %s runs, serves, and obeys the manifest's environment on SIGTERM",
    async (packageName, example, run) => {
      if (!run.startsWith('compiled/')) {
        writeFileSync(join(project, run), readmeExamples(packageName).get(example) as string);
      }
      // A pod's environment: in Kubernetes (so the in-cluster 5 s default would apply if the
      // variables were ignored), a drain delay of 700 ms and PORT from the manifest.
      const child = spawnNode(run, {
        cwd: project,
        env: {
          PORT: '0',
          KUBERNETES_SERVICE_HOST: '10.255.255.1',
          LAMEDUCK_DRAIN_DELAY_MS: '700',
          LAMEDUCK_DRAIN_TIMEOUT_MS: '3000',
          UPSTREAM_HEALTH_URL: upstreamUrl,
        },
      });
      const line = await child.waitForLine(/listening on .*:\d+$/);
      const url = `http://127.0.0.1:${line.split(':').at(-1)}`;
      expect(await request(`${url}/`)).toMatchObject({ status: 200, body: expect.stringContaining('hello') });
      await expect.poll(async () => (await request(`${url}/readyz`)).status, { timeout: 5000 }).toBe(200);
      expect(child.lines).toContainEqual(
        expect.stringMatching(/drain delay 700 ms \(LAMEDUCK_DRAIN_DELAY_MS\), drain timeout 3000 ms/),
      );
      const sigtermAt = performance.now();
      child.signal('SIGTERM');
      await child.waitForLine(/state ready -> draining \(SIGTERM\)/);
      expect((await request(`${url}/readyz`)).status).toBe(503);
      expect((await request(`${url}/livez`)).status).toBe(200);
      const exit = await child.exited;
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(performance.now() - sigtermAt).toBeGreaterThanOrEqual(650);
      expect(performance.now() - sigtermAt).toBeLessThan(4500);
      expect(child.lines).toContainEqual(expect.stringMatching(/shutdown complete in \d+ ms: forced no/));
    },
  );
});

describe('the gRPC README example, copied verbatim from the installed package', () => {
  /**
   * The health service's answer, asked by a CommonJS user's client (fixtures/grpc-check.cjs).
   * Not execFileSync: the upstream the example's check asks is served by this process.
   */
  const check = async (port: string, ...services: string[]) =>
    (
      await execFileAsync(process.execPath, ['grpc-check.cjs', port, ...services], { cwd: project })
    ).stdout.trim();
  let upstream: Server;
  let upstreamUrl: string;
  beforeAll(async () => {
    upstream = createServer((_request, response) => response.end('ok'));
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/healthz`;
  });
  afterAll(() => upstream.close());

  it("runs, answers the health service, and drains on SIGTERM under a pod's environment", async () => {
    writeFileSync(join(project, 'grpc.mjs'), readmeExamples('@lameduck/grpc').get('grpc.mjs') as string);
    const child = spawnNode('grpc.mjs', {
      cwd: project,
      env: {
        PORT: '0',
        KUBERNETES_SERVICE_HOST: '10.255.255.1',
        LAMEDUCK_DRAIN_DELAY_MS: '2000',
        LAMEDUCK_DRAIN_TIMEOUT_MS: '3000',
        UPSTREAM_HEALTH_URL: upstreamUrl,
      },
    });
    const port = (await child.waitForLine(/listening on .*:\d+$/)).split(':').at(-1) as string;
    await expect.poll(() => check(port, ''), { timeout: 5000 }).toBe('SERVING');
    expect(await check(port, 'liveness', 'no.such.Service')).toBe('SERVING error 5'); // NOT_FOUND
    expect(child.lines).toContainEqual(
      expect.stringMatching(/drain delay 2000 ms \(LAMEDUCK_DRAIN_DELAY_MS\), drain timeout 3000 ms/),
    );
    const sigtermAt = performance.now();
    child.signal('SIGTERM');
    await child.waitForLine(/state ready -> draining \(SIGTERM\)/);
    // Within the drain delay (a client process takes a few hundred ms to start on a busy machine).
    expect(await check(port, '', 'liveness')).toBe('NOT_SERVING SERVING');
    expect(await child.exited).toMatchObject({ code: 0, signal: null });
    expect(performance.now() - sigtermAt).toBeGreaterThanOrEqual(1950);
    expect(child.lines).toContainEqual(expect.stringMatching(/shutdown complete in \d+ ms: forced no/));
  });
});

describe('installing one adapter without the others', () => {
  it("works with core's tarball beside it (core is pinned to the same version)", () => {
    const alone = mkdtempSync(join(tmpdir(), 'lameduck-adapter-alone-'));
    try {
      writeFileSync(join(alone, 'package.json'), JSON.stringify({ name: 'alone', private: true }));
      const pick = (name: string) =>
        join(
          project,
          basename(tarballs.find((file) => basename(file).startsWith(`lameduck-${name}-`)) as string),
        );
      npmInstall(alone, [pick('core'), pick('express'), 'express@5']);
      const loaded = execFileSync(
        process.execPath,
        ['-e', "console.log(typeof require('@lameduck/express').createLameduck)"],
        { cwd: alone, encoding: 'utf8' },
      );
      expect(loaded.trim()).toBe('function');
      expect(readdirSync(join(alone, 'node_modules', '@lameduck')).sort()).toEqual(['core', 'express']);
    } finally {
      rmSync(alone, { recursive: true, force: true });
    }
  });
});
