// Issue 23: every adapter, with 0, 1 and 3 cleanup hooks of the user (Fastify, NestJS and gRPC add their
// own), starts under the environment of the docs' recommended manifest and drains across SIGTERM
// inside its grace period, as a real child process; `lameduck doctor` on that manifest agrees with
// the runtime's verdict. The over-budget variant: the doctor flags it, and the runtime still starts,
// with one line saying what it cut.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const packages = fileURLToPath(new URL('../../', import.meta.url));
const guide = readFileSync(join(packages, '../docs/deploying-to-kubernetes.md'), 'utf8');
const recommended =
  [...guide.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((match) => match[1] ?? '')
    .find((block) => block.includes('kind: PodDisruptionBudget')) ?? '';

/** The container's env as the manifest writes it: `- { name: X, value: "Y" }`. */
function manifestEnv(manifest: string): Record<string, string> {
  return Object.fromEntries(
    [...manifest.matchAll(/- \{ name: (\w+), value: "([^"]*)" \}/g)].map((match) => [match[1], match[2]]),
  ) as Record<string, string>;
}

const ADAPTERS = ['core', 'express', 'koa', 'fastify', 'nestjs', 'hono', 'grpc'] as const;
const HOOKS = [0, 1, 3] as const;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  startedMs: number;
  drainMs: number;
}

/** Starts the adapter's budget-app, waits for it to listen, sends SIGTERM and measures the drain. */
function drainChild(adapter: string, userHooks: number, env: Record<string, string>): Promise<Run> {
  const fixture = join(packages, adapter, 'test/fixtures/budget-app.mjs');
  const spawnedAt = Date.now();
  const child: ChildProcess = spawn(process.execPath, [fixture], {
    cwd: join(packages, adapter),
    env: { PATH: process.env.PATH ?? '', ...env, USER_HOOKS: String(userHooks) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let startedMs = 0;
  let signalledAt = 0;
  return new Promise((resolve, reject) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (signalledAt === 0 && /listening on port \d+/.test(output)) {
        startedMs = Date.now() - spawnedAt;
        signalledAt = Date.now();
        child.kill('SIGTERM');
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({
        code,
        signal,
        output,
        startedMs,
        drainMs: signalledAt === 0 ? -1 : Date.now() - signalledAt,
      });
    });
  });
}

const cli = join(packages, 'cli/dist/cli.js');
async function doctor(
  manifest: string,
): Promise<{ code: number; findings: { rule: string; message: string }[] }> {
  const file = join(mkdtempSync(join(tmpdir(), 'budget-matrix-')), 'manifest.yaml');
  writeFileSync(file, manifest);
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'doctor', file, '--json']);
    return { code: 0, findings: JSON.parse(stdout) };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, findings: JSON.parse(failed.stdout) };
  }
}

const env = manifestEnv(recommended);
const graceMs = Number(env.TERMINATION_GRACE_PERIOD_SECONDS) * 1000;

describe('the recommended manifest: every adapter starts and drains inside the grace period', () => {
  it('is the manifest of the issue: grace 30 s from SIGTERM, drain timeout 20 s', () => {
    expect(env).toMatchObject({ TERMINATION_GRACE_PERIOD_SECONDS: '30', LAMEDUCK_DRAIN_TIMEOUT_MS: '20000' });
  });

  it('passes lameduck doctor: the same verdict as the runtime, which fits without cutting anything', async () => {
    const verdict = await doctor(recommended);
    expect(verdict.findings.filter((finding) => finding.rule === 'grace-period-too-short')).toEqual([]);
  });

  describe.concurrent.each(ADAPTERS)('%s', (adapter) => {
    it.each(HOOKS)('with %i cleanup hook(s) of the user', async (userHooks) => {
      const run = await drainChild(adapter, userHooks, env);
      expect(run.output).not.toMatch(/does not fit|started anyway|LameduckConfigError/);
      expect(run.startedMs).toBeGreaterThan(0);
      expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
      expect(run.drainMs).toBeLessThan(graceMs);
      for (let index = 1; index <= userHooks; index += 1)
        expect(run.output).toContain(`user hook ${index} ran`);
    });
  });
});

describe('an over-budget manifest: the doctor flags it, the runtime still starts and says what it cut', () => {
  const over = recommended.replace(
    '{ name: LAMEDUCK_DRAIN_TIMEOUT_MS, value: "20000" }',
    '{ name: LAMEDUCK_DRAIN_TIMEOUT_MS, value: "30000" }',
  );

  it('the doctor flags TERMINATION_GRACE_PERIOD_SECONDS as too short for the budget', async () => {
    expect(over).toContain('value: "30000" }');
    const verdict = await doctor(over);
    expect(verdict.findings.map((finding) => finding.rule)).toContain('grace-period-too-short');
  });

  describe.concurrent.each(ADAPTERS)('%s', (adapter) => {
    it('starts, with one warning naming the fitted drain timeout, and drains inside the grace period', async () => {
      const run = await drainChild(adapter, 1, manifestEnv(over));
      expect(run.output.match(/started anyway/g)).toHaveLength(1);
      expect(run.output).toContain('drainTimeoutMs 30000 -> 23650 ms');
      expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
      expect(run.drainMs).toBeLessThan(graceMs);
    });
  });
});
