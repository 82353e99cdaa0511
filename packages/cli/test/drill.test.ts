import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  drillFixture,
  lameduckServerCommand,
  processesTagged,
  serverCommand,
  uniqueTag,
} from './drill-helpers.js';

// `lameduck drill` as a user runs it: the built bin, real pods, real load. `pnpm test` builds the
// CLI and core first (turbo: test depends on build and ^build), and nothing else: the lameduck
// service drilled is the CLI's own test/fixtures/drill/lameduck-server.mjs, given as the published
// CLI takes one (--manifest <file> -- <start command>). --demo (the repository's `pnpm drill`) is
// drilled in a stand-in repository whose demo starts that same server.

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'lameduck-drill-'));
const NO_STACK = /\n\s+at |node:internal/;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function drill(...args: string[] | [{ cwd: string }, ...string[]]): Promise<Run> {
  const [first, ...rest] = args;
  const cwd = typeof first === 'object' ? first.cwd : packageDir;
  const drillArgs = typeof first === 'object' ? (rest as string[]) : (args as string[]);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      // One run after another, whatever the load: the tests run beside other packages' tests.
      [join(packageDir, 'dist', 'cli.js'), 'drill', '--sequential', ...drillArgs],
      { cwd, timeout: 120_000, maxBuffer: 10_000_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      },
    );
  });
}

/** Processes tagged `tag` that are still there after a moment (SIGKILLed ones need a few ms). */
async function leftBehind(tag: string): Promise<string[]> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    if (processesTagged(tag).length === 0) return [];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return processesTagged(tag);
}

/** The last line of stderr: progress lines come first, the error is the one line that matters. */
function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? '';
}

// Short: a fixed lag shorter than the manifests' 1 s pause (drain delay or preStop sleep).
const LOAD = ['--rate', '60', '--keep-alive-clients', '6', '--lag-ms', '600', '--network', 'userspace'];
// 2 replicas, 1 s probe periods.
const SHORT = ['--manifest', drillFixture('fast.yaml'), ...LOAD];

/**
 * A directory shaped like the lameduck repository with apps/express-demo, for --demo; built, its
 * dist/server.js starts test/fixtures/drill/lameduck-server.mjs under that server's manifest.
 */
function standInRepository(built: boolean): string {
  const root = mkdtempSync(join(scratch, 'repository-'));
  const demo = join(root, 'apps', 'express-demo');
  mkdirSync(join(demo, 'k8s'), { recursive: true });
  writeFileSync(
    join(demo, 'package.json'),
    '{ "name": "express-demo", "private": true, "type": "module" }\n',
  );
  copyFileSync(drillFixture('lameduck-server.yaml'), join(demo, 'k8s', 'manifests.yaml'));
  if (built) {
    mkdirSync(join(demo, 'dist'));
    const server = pathToFileURL(drillFixture('lameduck-server.mjs')).href;
    writeFileSync(join(demo, 'dist', 'server.js'), `import ${JSON.stringify(server)};\n`);
  }
  return root;
}

describe('lameduck drill', () => {
  it('side by side: naive fails requests, naive + preStop is reported as it is, the lameduck server fails none', async () => {
    const report = join(scratch, 'timeline.html');
    const run = await drill(
      '--manifest',
      drillFixture('lameduck-server.yaml'),
      ...LOAD,
      '--json',
      '--report',
      report,
      '--',
      ...lameduckServerCommand(),
    );
    expect(run.stderr).not.toMatch(NO_STACK);
    const runs = JSON.parse(run.stdout) as {
      mode: string;
      service: string;
      requests: number;
      failed: number;
      podsReplaced: number;
      answeredBy: Record<string, number>;
      settings: Record<string, unknown>;
    }[];
    expect(runs.map((each) => [each.mode, each.service])).toEqual([
      ['naive', 'naive-server.mjs'],
      ['naive-prestop', 'naive-server.mjs'],
      ['service', 'lameduck-server.mjs'],
    ]);
    const [naive, naivePreStop, lameduck] = runs;
    expect(lameduck).toMatchObject({ failed: 0, podsReplaced: 2 });
    expect(lameduck?.settings).toMatchObject({
      replicas: 2,
      maxSurge: 1,
      maxUnavailable: 0,
      lagMs: [600, 600],
      preStop: { type: 'sleep', ms: 1000 },
    });
    expect(naive?.settings).toMatchObject({ preStop: { type: 'none' } });
    expect(naivePreStop?.settings).toMatchObject({ preStop: { type: 'sleep', ms: 1000 } });
    expect(naivePreStop?.podsReplaced).toBe(2);
    expect(lameduck?.requests).toBeGreaterThan(100);
    expect(lameduck?.answeredBy.v1).toBeGreaterThan(0);
    expect(lameduck?.answeredBy.v2).toBeGreaterThan(0);
    // No pause anywhere and a 600 ms lag: new connections reach pods that have closed their listener.
    expect(naive?.failed).toBeGreaterThan(0);
    expect(run.code).toBe(0);
    const html = readFileSync(report, 'utf8');
    for (const title of [
      'naive — naive-server.mjs',
      'naive + preStop — naive-server.mjs',
      'service — lameduck-server.mjs',
    ])
      expect(html).toContain(title);
  }, 180_000);

  it('--demo in the repository: drills apps/<name>-demo under its k8s/manifests.yaml', async () => {
    const run = await drill(
      { cwd: standInRepository(true) },
      '--demo',
      'express',
      ...LOAD,
      '--mode',
      'lameduck',
      '--rate',
      '20',
      '--json',
    );
    expect(run.stderr).not.toMatch(NO_STACK);
    const runs = JSON.parse(run.stdout) as {
      mode: string;
      service: string;
      failed: number;
      podsReplaced: number;
    }[];
    expect(runs).toEqual([
      expect.objectContaining({ mode: 'lameduck', service: 'express-demo', failed: 0, podsReplaced: 2 }),
    ]);
    expect(run.code).toBe(0);
  }, 120_000);

  it('without a preStop hook in the manifest, naive + preStop is skipped and the header says why', async () => {
    const run = await drill(...SHORT, '--mode', 'naive,naive-prestop', '--rate', '20');
    expect(run.stdout).toContain(
      'skipped naive + preStop: the manifest has no preStop hook (it would be naive again)',
    );
    expect(run.stdout).toMatch(/^ +naive$/m);
    expect(run.code).toBe(0);
  }, 120_000);

  it('prints the table, and exits 1 when the service under test drops requests', async () => {
    const tag = uniqueTag();
    // server.mjs closes at SIGTERM and ignores LAMEDUCK_DRAIN_DELAY_MS: no pause anywhere.
    const run = await drill(...SHORT, '--mode', 'service', '--', ...serverCommand(tag));
    expect(run.stdout).toContain('lameduck drill: a simulated rolling update v1 → v2 under load');
    expect(run.stdout).toMatch(/^requests +\d+$/m);
    expect(run.stdout).toMatch(/^ {2}refused +[1-9]\d*$/m);
    // A command after -- is the service under test, named for what it is: not "lameduck".
    expect(run.stdout).toMatch(/^ +service$/m);
    expect(run.stdout).not.toMatch(/^lameduck: /m);
    expect(run.stdout).toMatch(/^service: [1-9]\d* of \d+ requests failed \(\d+ refused/m);
    expect(run.code).toBe(1);
    expect(await leftBehind(tag)).toEqual([]);
  }, 120_000);

  describe('bad input: one line, exit 2, nothing left running', () => {
    it('a manifest without a Deployment', async () => {
      const tag = uniqueTag();
      const run = await drill('--manifest', drillFixture('service-only.yaml'), '--', ...serverCommand(tag));
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(
        /^lameduck drill: no Deployment in .*service-only\.yaml \(found Service\)\n$/,
      );
      expect(await leftBehind(tag)).toEqual([]);
    });

    it('bad input is the only line where --network auto falls back to user space (as a user who is not root)', async () => {
      // Not root: --network auto cannot take the kernel mode, on every machine. The fallback note
      // is for a drill that runs; bad input is reported before the network is chosen.
      const asUser =
        process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
      const run = await new Promise<Run>((resolve) => {
        const [program = process.execPath, ...rest] = [...asUser, process.execPath];
        execFile(
          program,
          [
            ...rest,
            join(packageDir, 'dist', 'cli.js'),
            'drill',
            '--manifest',
            drillFixture('service-only.yaml'),
            '--',
            'node',
            'server.js',
          ],
          { cwd: packageDir, timeout: 60_000 },
          (error, stdout, stderr) =>
            resolve({
              code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
              stdout,
              stderr,
            }),
        );
      });
      expect(run.stderr).toMatch(
        /^lameduck drill: no Deployment in .*service-only\.yaml \(found Service\)\n$/,
      );
      expect(run).toMatchObject({ code: 2, stdout: '' });
    });

    it('a manifest that does not exist', async () => {
      const run = await drill('--manifest', 'missing.yaml', '--', 'node', 'server.js');
      expect(run).toEqual({ code: 2, stdout: '', stderr: 'lameduck drill: missing.yaml: no such file\n' });
    });

    it('a start command that exits at once', async () => {
      const tag = uniqueTag();
      const run = await drill(
        '--manifest',
        drillFixture('fast.yaml'),
        '--',
        process.execPath,
        '-e',
        'console.error("Error: boom"); process.exit(3)',
        '--',
        `--tag=${tag}`,
      );
      expect(run.code).toBe(2);
      expect(lastLine(run.stderr)).toMatch(
        /^lameduck drill: pod fast-v1-[12] exited \(exit code 3\) before it became ready: Error: boom$/,
      );
      expect(run.stderr).not.toMatch(NO_STACK);
      expect(await leftBehind(tag)).toEqual([]);
    });

    it('a service that never becomes ready', async () => {
      const tag = uniqueTag();
      const run = await drill(
        '--manifest',
        drillFixture('never-ready.yaml'),
        '--ready-timeout',
        '2',
        '--',
        ...serverCommand(tag),
      );
      expect(run.code).toBe(2);
      expect(lastLine(run.stderr)).toBe(
        'lameduck drill: pod never-ready-v1-1 did not become ready within 2 s (last probe: 503); see --ready-timeout',
      );
      expect(await leftBehind(tag)).toEqual([]);
    });

    it('no service outside the lameduck repository: the published CLI names the flags to give', async () => {
      const outside = await drill({ cwd: scratch });
      expect(outside).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'lameduck drill: no service to drill: give --manifest <file> -- <start command>, or --demo <name> inside the lameduck repository\n',
      });
      const demo = await drill({ cwd: scratch }, '--demo', 'express', '--network', 'userspace');
      expect(demo.code).toBe(2);
      expect(demo.stderr).not.toMatch(NO_STACK);
      expect(lastLine(demo.stderr)).toBe(
        'lameduck drill: cannot find apps/express-demo: --demo runs inside the lameduck repository; give your own service with --manifest <file> -- <start command>',
      );
    });

    it('--demo in the repository with the demo not built: says to build it', async () => {
      const run = await drill(
        { cwd: standInRepository(false) },
        '--demo',
        'express',
        '--network',
        'userspace',
      );
      expect(run.code).toBe(2);
      expect(run.stderr).not.toMatch(NO_STACK);
      expect(lastLine(run.stderr)).toBe(
        'lameduck drill: apps/express-demo/dist/server.js is missing: run pnpm build first',
      );
    });

    it('an unknown option', async () => {
      const run = await drill('--replica', '3');
      expect(run).toEqual({
        code: 2,
        stdout: '',
        stderr: 'lameduck drill: unknown option --replica (see lameduck drill --help)\n',
      });
    });
  });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'on %s mid-rollout: stops every pod and exits 130',
    async (signal) => {
      const tag = uniqueTag();
      const child: ChildProcess = spawn(
        process.execPath,
        ['dist/cli.js', 'drill', '--sequential', ...SHORT, '--mode', 'lameduck', '--', ...serverCommand(tag)],
        { cwd: packageDir, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      // Wait until pods run, then interrupt.
      for (let attempt = 0; attempt < 100 && processesTagged(tag).length < 3; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(processesTagged(tag).length).toBeGreaterThanOrEqual(3); // the drill and its pods
      child.kill(signal);
      expect(await exited).toBe(130);
      expect(stderr).toContain(`lameduck drill: ${signal}, stopping every pod`);
      expect(lastLine(stderr)).toBe('lameduck drill: interrupted');
      expect(await leftBehind(tag)).toEqual([]);
    },
    60_000,
  );

  it('has a help text', async () => {
    const run = await drill('--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: lameduck drill/);
    expect(existsSync(join(packageDir, 'baselines', 'naive-server.mjs'))).toBe(true);
  });
});
