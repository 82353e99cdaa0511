import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PodState } from '../src/drill/pod.js';
import type { DrillSpec, ProbeSpec } from '../src/drill/spec.js';

/** A file in test/fixtures/drill/. */
export function drillFixture(name: string): string {
  return fileURLToPath(new URL(`fixtures/drill/${name}`, import.meta.url));
}

/** test/fixtures/drill/server.mjs started with this node, tagged so that leftovers can be found. */
export function serverCommand(tag: string): string[] {
  return [process.execPath, drillFixture('server.mjs'), `--tag=${tag}`];
}

/**
 * test/fixtures/drill/lameduck-server.mjs (plain node:http with @lameduck/core/node) started with
 * this node: the lameduck service the drill tests drill, with no demo to build first.
 */
export function lameduckServerCommand(): string[] {
  return [process.execPath, drillFixture('lameduck-server.mjs')];
}

/** A probe in milliseconds, quicker than Kubernetes' whole seconds allow, for unit tests. */
export function probe(path: string, periodMs = 100, fields: Partial<ProbeSpec> = {}): ProbeSpec {
  return {
    action: { type: 'httpGet', path },
    initialDelayMs: 0,
    periodMs,
    timeoutMs: 500,
    failureThreshold: 3,
    successThreshold: 1,
    ...fields,
  };
}

/** A Deployment for unit tests: quick probes, a short grace period, no preStop. */
export function testSpec(fields: Partial<DrillSpec> = {}): DrillSpec {
  return {
    file: 'test.yaml',
    name: 'web',
    container: 'web',
    strategy: 'RollingUpdate',
    replicas: 2,
    maxSurge: 1,
    maxUnavailable: 0,
    minReadyMs: 0,
    gracePeriodMs: 5000,
    env: {},
    probes: { readiness: probe('/readyz') },
    preStop: { type: 'none' },
    ...fields,
  };
}

/** A v1 pod for unit tests: started, ready, serving on 127.0.0.1:1 since 0 ms. */
export function testPod(name: string, fields: Partial<PodState> = {}): PodState {
  return {
    name,
    version: 'v1',
    host: '127.0.0.1',
    port: 1,
    createdAtMs: 0,
    started: true,
    probeReady: true,
    everReady: true,
    readySinceMs: 0,
    deletedAtMs: undefined,
    exit: undefined,
    restarts: 0,
    killed: false,
    ...fields,
  };
}

/** Processes whose command line contains `tag` (Linux and macOS `ps`). */
export function processesTagged(tag: string): string[] {
  const table = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return table
    .split('\n')
    .filter((line) => line.includes(`--tag=${tag}`) && !line.includes(' ps '))
    .map((line) => line.trim());
}

export function uniqueTag(): string {
  return `drill-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** How `lameduck drill` ended: its exit code, what it printed, and its pid. */
export interface DrillRun {
  code: number | null;
  stdout: string;
  stderr: string;
  pid: number | undefined;
}

/**
 * Runs `lameduck drill --sequential ...args` from the built CLI; `during` runs once it is going
 * (to interrupt it), with its process. Killed after 150 s so that a hung drill fails the test.
 */
export function runDrillCommand(
  args: string[],
  during?: (child: ChildProcess) => Promise<void>,
): Promise<DrillRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/cli.js', 'drill', '--sequential', ...args], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, pid: child.pid });
    });
    if (during) void during(child);
  });
}
