import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { kernelModeMissing } from '../src/drill/netns.js';
import {
  drillFixture,
  lameduckServerCommand,
  processesTagged,
  runDrillCommand,
  serverCommand,
  uniqueTag,
} from './drill-helpers.js';

// `lameduck drill --network kernel`: pods in network namespaces, kube-proxy's iptables rules in a
// node namespace. Needs root, iproute2, iptables and conntrack: test/drill-tools-setup.ts installs
// them when missing; where it cannot (or this is not root) every test fails with the reason.

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const NO_STACK = /\n\s+at |node:internal/;

const drill = runDrillCommand;

function namespaces(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter(Boolean);
}

/** What a drill run by `pid` could have left: its namespaces, and links of ours in this namespace. */
function leftBy(pid: number | undefined): string[] {
  const links = execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => /: ld-/.test(line));
  return [...namespaces().filter((name) => name.startsWith(`lameduck-drill-${pid}-`)), ...links];
}

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  for (let waited = 0; waited < timeoutMs && !condition(); waited += 100)
    await new Promise((resolve) => setTimeout(resolve, 100));
}

/** Processes tagged `tag` still there after a moment (SIGKILLed ones need a few ms). */
async function leftRunning(tag: string): Promise<string[]> {
  await until(() => processesTagged(tag).length === 0, 3000);
  return processesTagged(tag);
}

const SHORT = ['--rate', '60', '--keep-alive-clients', '6', '--lag-ms', '600', '--network', 'kernel'];

describe('lameduck drill --network kernel', () => {
  beforeAll(() => {
    const missing = kernelModeMissing();
    const install = inject('drillToolsMissing');
    if (missing !== undefined)
      throw new Error(`the kernel mode ${missing}${install === undefined ? '' : `; ${install}`}`);
  });

  it('runs the pods in namespaces behind a kube-proxy VIP: lameduck fails none, naive fails some; nothing is left', async () => {
    // A namespace left by a drill that was SIGKILLed: the next drill removes it.
    const dead = spawn('true');
    await new Promise((resolve) => dead.once('exit', resolve));
    const abandoned = `lameduck-drill-${dead.pid}-node`;
    execFileSync('ip', ['netns', 'add', abandoned]);
    const run = await drill([
      '--manifest',
      drillFixture('lameduck-server.yaml'),
      ...SHORT,
      '--mode',
      'naive,lameduck',
      '--json',
      '--',
      ...lameduckServerCommand(),
    ]);
    expect(run.stderr).not.toMatch(NO_STACK);
    expect(run.stderr).toContain('removed 1 network namespace(s) left by a drill that was killed');
    const runs = JSON.parse(run.stdout) as {
      mode: string;
      network: string;
      failed: number;
      requests: number;
      answeredBy: Record<string, number>;
      pods: { name: string; port: number }[];
    }[];
    expect(runs.map((each) => [each.mode, each.network])).toEqual([
      ['naive', 'kernel'],
      ['service', 'kernel'],
    ]);
    const [naive, lameduck] = runs;
    expect(lameduck?.failed).toBe(0);
    expect(lameduck?.requests).toBeGreaterThan(100);
    // conntrack told which pod each connection went to.
    expect(lameduck?.answeredBy.v1).toBeGreaterThan(0);
    expect(lameduck?.answeredBy.v2).toBeGreaterThan(0);
    // Every pod has its own address: all listen on the same port.
    expect(new Set(lameduck?.pods.map((pod) => pod.port))).toEqual(new Set([8080]));
    expect(naive?.failed).toBeGreaterThan(0);
    expect(run.code).toBe(0);
    expect(namespaces()).not.toContain(abandoned);
    expect(leftBy(run.pid)).toEqual([]);
  }, 180_000);

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'on %s mid-rollout: exits 130 and removes every namespace, link and pod',
    async (signal) => {
      const tag = uniqueTag();
      const run = await drill(
        ['--manifest', drillFixture('fast.yaml'), ...SHORT, '--', ...serverCommand(tag)],
        async (child) => {
          // The tag is on this drill's command line, the one inside the node namespace, and the pods'.
          await until(() => processesTagged(tag).length >= 4);
          child.kill(signal);
        },
      );
      expect(run.code).toBe(130);
      expect(run.stderr).toContain(`lameduck drill: ${signal}, stopping every pod`);
      expect(await leftRunning(tag)).toEqual([]);
      expect(leftBy(run.pid)).toEqual([]);
    },
    120_000,
  );

  it('when the drill inside the node namespace crashes (SIGKILL): one line, exit 2, nothing left', async () => {
    const tag = uniqueTag();
    const run = await drill(
      ['--manifest', drillFixture('fast.yaml'), ...SHORT, '--', ...serverCommand(tag)],
      async (child) => {
        await until(() => processesTagged(tag).length >= 4);
        const inner = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
          .split('\n')
          .find((line) => line.includes(`--inside-node-namespace lameduck-drill-${child.pid}-node`));
        process.kill(Number(inner?.trim().split(' ')[0]), 'SIGKILL');
      },
    );
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n').at(-1)).toBe(
      'lameduck drill: the drill in the node namespace stopped (signal SIGKILL); its network namespaces and pods are removed',
    );
    expect(await leftRunning(tag)).toEqual([]);
    expect(leftBy(run.pid)).toEqual([]);
  }, 120_000);

  it('when a pod never becomes ready (the drill times out): exit 2, nothing left', async () => {
    const tag = uniqueTag();
    const run = await drill([
      '--manifest',
      drillFixture('never-ready.yaml'),
      '--ready-timeout',
      '2',
      '--network',
      'kernel',
      '--',
      ...serverCommand(tag),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr.trimEnd().split('\n').at(-1)).toBe(
      'lameduck drill: pod never-ready-v1-1 did not become ready within 2 s (last probe: 503); see --ready-timeout',
    );
    expect(await leftRunning(tag)).toEqual([]);
    expect(leftBy(run.pid)).toEqual([]);
  }, 60_000);

  it('--network auto without root says so in one line and uses the user-space proxy', async () => {
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(
        'setpriv',
        [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          'dist/cli.js',
          'drill',
          '--manifest',
          drillFixture('fast.yaml'),
          '--mode',
          'naive',
          '--rate',
          '20',
          '--lag-ms',
          '600',
        ],
        { cwd: packageDir, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.once('close', (code) => resolve({ code, stderr }));
    });
    expect(run.stderr.split('\n')[0]).toBe(
      'lameduck drill: --network auto: the user-space proxy on 127.0.0.1 (the kernel mode needs root (network namespaces and iptables))',
    );
    expect(run.code).toBe(0);
  }, 120_000);
});
