import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { kernelModeMissing } from '../src/drill/netns.js';
import { nginxMissing } from '../src/drill/nginx-ingress.js';
import { drillFixture, lameduckServerCommand, runDrillCommand } from './drill-helpers.js';

// `lameduck drill --ingress nginx`: a real nginx (Debian's, with its Lua module) between the load
// and the pods. test/drill-tools-setup.ts installs nginx and libnginx-mod-http-lua when missing;
// where it cannot, every test here fails with the reason (they never skip).

const NO_STACK = /\n\s+at |node:internal/;

const drill = runDrillCommand;

/** nginx processes a drill started (their prefix is its temporary directory). */
function drillNginx(): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('nginx') && line.includes('lameduck-drill-nginx-'));
}

/** The processes nginx's master started (its workers show only "nginx: worker process"). */
function childrenOf(pid: number): number[] {
  return execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([, parent]) => parent === pid)
    .map(([child]) => child ?? 0);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tempDirs(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('lameduck-drill-nginx-'));
}

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  for (let waited = 0; waited < timeoutMs && !condition(); waited += 100)
    await new Promise((resolve) => setTimeout(resolve, 100));
}

const SHORT = ['--rate', '60', '--keep-alive-clients', '6', '--lag-ms', '200'];

interface JsonRun {
  mode: string;
  network: string;
  requests: number;
  failed: number;
  answeredBy: Record<string, number>;
  ingress: { masked: number; maskedByCause: Record<string, number>; proxyFailed: number };
  settings: { ingress: string };
}

describe('lameduck drill --ingress nginx', () => {
  beforeAll(() => {
    const missing = nginxMissing() ?? kernelModeMissing();
    const install = inject('drillToolsMissing');
    if (missing !== undefined)
      throw new Error(`--ingress nginx ${missing}${install === undefined ? '' : `; ${install}`}`);
  });

  it('puts nginx between the load and the pods (kernel mode): what it retried is counted by cause, nothing is left', async () => {
    const dirsBefore = tempDirs();
    const run = await drill([
      '--manifest',
      drillFixture('lameduck-server.yaml'),
      ...SHORT,
      '--network',
      'kernel',
      '--ingress',
      'nginx',
      '--mode',
      'naive,lameduck',
      '--json',
      '--',
      ...lameduckServerCommand(),
    ]);
    expect(run.stderr).not.toMatch(NO_STACK);
    const runs = JSON.parse(run.stdout) as JsonRun[];
    expect(runs.map((each) => [each.mode, each.network, each.settings.ingress])).toEqual([
      ['naive', 'kernel', 'nginx'],
      ['service', 'kernel', 'nginx'],
    ]);
    for (const each of runs) {
      expect(each.requests).toBeGreaterThan(300);
      // Which pod answered comes from nginx's access log: both versions did.
      expect(each.answeredBy.v1).toBeGreaterThan(0);
      expect(each.answeredBy.v2).toBeGreaterThan(0);
    }
    const [naive] = runs;
    // naive closes its listener at SIGTERM while nginx still lists it: nginx's connects are
    // refused (or find the pod gone), and it retries them on another pod.
    expect((naive?.ingress.masked ?? 0) + (naive?.failed ?? 0)).toBeGreaterThan(0);
    expect(
      (naive?.ingress.maskedByCause.refused ?? 0) +
        (naive?.ingress.maskedByCause.unreachable ?? 0) +
        (naive?.ingress.maskedByCause['connect-timeout'] ?? 0),
    ).toBeGreaterThan(0);
    expect(drillNginx()).toEqual([]);
    // No directory of its own left (an abandoned one of another drill may have been swept).
    expect(tempDirs().filter((name) => !dirsBefore.includes(name))).toEqual([]);
  }, 150_000);

  it('stops nginx (master and workers) and every pod on Ctrl-C, and exits 130', async () => {
    let nginx: number[] = [];
    const run = await drill(
      [
        '--manifest',
        drillFixture('lameduck-server.yaml'),
        ...SHORT,
        '--network',
        'userspace',
        '--ingress',
        'nginx',
        '--mode',
        'lameduck',
        '--',
        ...lameduckServerCommand(),
      ],
      async (child) => {
        // The master, then its two workers: the load is going through them by then.
        await until(() => drillNginx().length > 0);
        const master = Number(drillNginx()[0]?.trim().split(/\s+/)[0]);
        await until(() => childrenOf(master).length >= 2);
        nginx = [master, ...childrenOf(master)];
        child.kill('SIGINT');
      },
    );
    expect(run.stderr).not.toMatch(NO_STACK);
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('SIGINT, stopping every pod');
    await until(() => drillNginx().length === 0, 3000);
    expect(nginx).toHaveLength(3);
    expect(nginx.filter(alive)).toEqual([]);
    expect(drillNginx()).toEqual([]);
  }, 150_000);

  it('says in one line what is missing when nginx cannot start, and exits 2', async () => {
    const run = await drill(['--demo', 'express', '--ingress', 'envoy']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('lameduck drill: --ingress must be one of none, nginx, got envoy');
  });
});
