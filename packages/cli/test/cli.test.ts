import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanYaml } from './helpers.js';

// Spawns the built bin as a user would run it; `pnpm test` builds first (turbo: test dependsOn build).
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function lameduck(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['dist/cli.js', ...args],
      { cwd: packageDir, timeout: 20_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
      },
    );
  });
}

const CLEAN = 'test/fixtures/clean.yaml';
const FLAWED = 'test/fixtures/flawed/no-shutdown-pause.yaml';
const NO_STACK = /\n\s+at |Error:|node:internal/;

const scratch = mkdtempSync(join(tmpdir(), 'lameduck-cli-'));
function scratchFile(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

describe('lameduck doctor', () => {
  it('exits 0 on the clean manifest, with a summary on stderr and nothing on stdout', async () => {
    const run = await lameduck('doctor', CLEAN);
    expect(run).toEqual({
      code: 0,
      stdout: '',
      stderr: 'lameduck doctor: no findings (3 objects in 1 file)\n',
    });
  });

  it('exits 1 with one line per finding: file:line:column: severity: Kind/name: rule: what — fix', async () => {
    const run = await lameduck('doctor', FLAWED);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      `${FLAWED}:3:1: warning: Deployment/web: no-shutdown-pause: container "web" has no lifecycle.preStop and LAMEDUCK_DRAIN_DELAY_MS is 0: it stops accepting at SIGTERM while endpoints still send it traffic for 1–5 s (connections refused) — add lifecycle.preStop.sleep.seconds: 5 with LAMEDUCK_DRAIN_DELAY_MS=0, or set LAMEDUCK_DRAIN_DELAY_MS=5000 (lameduck's in-app pause)\n`,
    );
    expect(run.stderr).toBe('lameduck doctor: 1 finding: 1 warning (3 objects in 1 file)\n');
  });

  it('matches Services and budgets across files, and reports each file by the name given', async () => {
    const [deployment = '', ...rest] = cleanYaml.split('\n---\n');
    const workload = scratchFile('deployment.yaml', deployment);
    const others = scratchFile('others.yaml', rest.join('\n---\n'));
    expect((await lameduck('doctor', workload, others)).code).toBe(0);
    const alone = await lameduck('doctor', workload);
    expect(alone.code).toBe(1);
    expect(
      alone.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split(': ').slice(0, 4).join(': ')),
    ).toEqual([`${workload}:3:1: warning: Deployment/web: no-service`]);
  });

  it('accepts a kind: List', async () => {
    const items = cleanYaml
      .split('\n---\n')
      .map((document) => document.replace(/^#.*\n/gm, ''))
      .map((document) => `  - ${document.trim().replaceAll('\n', '\n    ')}`);
    const list = scratchFile('list.yaml', `apiVersion: v1\nkind: List\nitems:\n${items.join('\n')}\n`);
    const run = await lameduck('doctor', list);
    expect(run.stderr).toBe('lameduck doctor: no findings (3 objects in 1 file)\n');
    expect(run.code).toBe(0);
  });

  it('prints --json: an array of {file, line, column, kind, name, rule, severity, message, fix}, and nothing on stderr', async () => {
    const run = await lameduck('doctor', '--json', 'test/fixtures/flawed/pdb-blocks-eviction.yaml', FLAWED);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const findings = JSON.parse(run.stdout) as Record<string, string>[];
    const keys = ['file', 'line', 'column', 'kind', 'name', 'rule', 'severity', 'message', 'fix'];
    expect(findings.map((finding) => Object.keys(finding))).toEqual([keys, keys]);
    expect(findings.map(({ line, severity }) => [line, severity])).toEqual([
      [89, 'error'],
      [3, 'warning'],
    ]);
    expect(findings.map(({ file, kind, name, rule }) => [file, kind, name, rule])).toEqual([
      ['test/fixtures/flawed/pdb-blocks-eviction.yaml', 'PodDisruptionBudget', 'web', 'pdb-blocks-eviction'],
      [FLAWED, 'Deployment', 'web', 'no-shutdown-pause'],
    ]);
    expect(findings[0]?.message).toMatch(
      /^maxUnavailable 0 allows 0 disruptions of 6 pods from Deployment\/web \(replicas 3\), Deployment\/web \(replicas 3\)/,
    );
  });

  it('prints [] with --json and exits 0 when clean', async () => {
    const run = await lameduck('doctor', CLEAN, '--json');
    expect(run).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });

  it.each([
    [
      ['doctor'],
      'lameduck doctor: no files given (usage: lameduck doctor [--format text|json|sarif] [--fail-on error|warning|info] [--disable rule] <file|dir...>)',
    ],
    [['doctor', '--fail-on', 'fatal', CLEAN], 'lameduck doctor: --fail-on fatal: use error, warning or info'],
    [['doctor', '--format', 'xml', CLEAN], 'lameduck doctor: --format xml: use text, json or sarif'],
    [
      ['doctor', '--disable', 'no-such-rule', CLEAN],
      'lameduck doctor: --disable no-such-rule: no such rule (see lameduck doctor --help)',
    ],
    [['doctor', '--yaml', CLEAN], 'lameduck doctor: unknown option --yaml (see lameduck doctor --help)'],
    [['doctor', '--json=yes', CLEAN], 'lameduck doctor: --json takes no value (see lameduck doctor --help)'],
    [['doctor', CLEAN, '--format'], 'lameduck doctor: --format needs a value (see lameduck doctor --help)'],
    [['doctor', '-', '-'], 'lameduck doctor: standard input (-) can be read once'],
    [['drain'], 'lameduck: unknown command drain (commands: doctor, drill; see lameduck --help)'],
    [['--bogus'], 'lameduck: unknown option --bogus (commands: doctor, drill; see lameduck --help)'],
    [[], 'lameduck: missing command (see lameduck --help)'],
  ])('exits 2 on %j with one line and no stack trace', async (args, line) => {
    const run = await lameduck(...args);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `${line}\n` });
  });

  it('exits 2 when nothing could be checked, and still prints the problems (--json: never an empty stdout)', async () => {
    const broken = scratchFile('broken.yaml', `${cleanYaml}\n---\nkind: Service\nmetadata: {name: x\n`);
    const run = await lameduck('doctor', broken, 'test/fixtures/missing.yaml', '--json');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject([
      { file: broken, line: 105, rule: 'unreadable-input', severity: 'error' },
      { file: 'test/fixtures/missing.yaml', rule: 'unreadable-input', message: 'no such file' },
    ]);
    const text = await lameduck('doctor', broken);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(
      new RegExp(`^${broken}:105:\\d+: error: unreadable-input: YAML does not parse: [^\\n]+ — [^\\n]+\\n$`),
    );
    expect(text.stderr).toBe(`lameduck doctor: nothing could be checked in ${broken}\n`);
    expect(text.stderr).not.toMatch(NO_STACK);
  });

  it('checks a directory of mixed files: reports what it can and exits by severity', async () => {
    const root = join(scratch, 'mixed');
    const put = (name: string, content: string | Uint8Array) => {
      mkdirSync(join(root, name, '..'), { recursive: true });
      writeFileSync(join(root, name), content);
    };
    put('app/clean.yaml', cleanYaml);
    put('app/kustomization.yaml', 'resources: [clean.yaml]\n');
    put('chart/Chart.yaml', 'apiVersion: v2\nname: web\nversion: 1.0.0\n');
    put('chart/templates/deployment.yaml', 'kind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n');
    put(
      'crd.yaml',
      'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: things.example.com}\n',
    );
    put(
      'agent.yaml',
      'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  template:\n    spec:\n      containers: [{name: agent, image: agent, livenessProbe: {tcpSocket: {port: 9100}}}]\n',
    );
    put('notes.yaml', 'kind: Service\nmetadata: {name: x\n');
    put('logo.yaml', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13]));
    const run = await lameduck('doctor', root);
    expect(run.stderr).not.toMatch(NO_STACK);
    expect(
      run.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.replace(`${root}/`, '').split(' — ')[0]?.split(': ').slice(0, 3).join(': ')),
    ).toEqual([
      'app/kustomization.yaml: info: kustomization',
      'chart/templates/deployment.yaml:3:9: info: helm-template',
      'logo.yaml: error: unreadable-input',
      'notes.yaml:3:1: error: unreadable-input',
    ]);
    expect(run.stdout).toContain(`kubectl kustomize ${root}/app | lameduck doctor -`);
    expect(run.stdout).toContain(`helm template ${root}/chart | lameduck doctor -`);
    expect(run.stderr).toBe('lameduck doctor: 4 findings: 2 error, 2 info (5 objects in 8 files)\n');
    expect(run.code).toBe(1);
  });

  it('sets the exit status by --fail-on: info findings pass by default', async () => {
    const info = 'test/fixtures/flawed/startup-probe-missing.yaml';
    expect((await lameduck('doctor', info)).code).toBe(0);
    expect((await lameduck('doctor', '--fail-on', 'info', info)).code).toBe(1);
    expect((await lameduck('doctor', '--fail-on', 'error', FLAWED)).code).toBe(0);
    expect(
      (await lameduck('doctor', '--fail-on', 'error', 'test/fixtures/flawed/pdb-blocks-eviction.yaml')).code,
    ).toBe(1);
  });

  it('skips rules given to --disable (repeated or comma-separated)', async () => {
    const both = ['test/fixtures/flawed/pdb-blocks-eviction.yaml', FLAWED];
    const run = await lameduck('doctor', '--disable', 'no-shutdown-pause', '--json', ...both);
    expect(JSON.parse(run.stdout).map((finding: { rule: string }) => finding.rule)).toEqual([
      'pdb-blocks-eviction',
    ]);
    const none = await lameduck('doctor', '--disable', 'no-shutdown-pause,pdb-blocks-eviction', ...both);
    expect(none).toMatchObject({ code: 0, stdout: '' });
  });

  it("skips the rules an object's lameduck.dev/doctor-skip annotation names, and shows the reason in --json", async () => {
    const annotated = scratchFile(
      'annotated.yaml',
      readFileSync(join(packageDir, FLAWED), 'utf8').replace(
        'metadata:\n  name: web\n',
        'metadata:\n  name: web\n  annotations:\n    lameduck.dev/doctor-skip: no-shutdown-pause, replicas-below-two\n    lameduck.dev/doctor-skip-reason: the app waits 5 s itself\n',
      ),
    );
    const text = await lameduck('doctor', annotated);
    expect(text).toEqual({
      code: 0,
      stdout: '',
      stderr: 'lameduck doctor: no findings (3 objects in 1 file; 1 suppressed)\n',
    });
    const json = await lameduck('doctor', '--json', annotated);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject([
      { rule: 'no-shutdown-pause', suppressed: { reason: 'the app waits 5 s itself' } },
    ]);
  });

  it('reads standard input for the file name -', async () => {
    const child = spawn(process.execPath, ['dist/cli.js', 'doctor', '--json', '-'], { cwd: packageDir });
    child.stdin.end(cleanYaml.replace('maxUnavailable: 0', 'maxUnavailable: 1'));
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject([{ file: '<stdin>', rule: 'rollout-max-unavailable' }]);
  });

  it('exits 0 on a valid manifest without workloads, and says so', async () => {
    const services = scratchFile('service.yaml', cleanYaml.split('\n---\n')[1] ?? '');
    const run = await lameduck('doctor', services);
    expect(run).toEqual({
      code: 0,
      stdout: '',
      stderr: 'lameduck doctor: no findings (1 object in 1 file; no workload among them)\n',
    });
  });

  it('survives YAML of the wrong shape without a stack trace', async () => {
    const odd = scratchFile(
      'odd.yaml',
      'kind: Deployment\nmetadata: {name: odd}\nspec:\n  replicas: many\n  template:\n    spec:\n      containers: [1, "x", {name: c, env: 3, ports: [null], livenessProbe: {exec: {command: 7}}, lifecycle: {preStop: []}}]\n',
    );
    const run = await lameduck('doctor', odd);
    expect(run.stderr).not.toMatch(NO_STACK);
    expect(run).toMatchObject({
      code: 0,
      stdout: '',
      stderr: `lameduck doctor: no findings (1 object in 1 file)\n`,
    });
  });
});

describe('lameduck', () => {
  it('prints its version', async () => {
    expect(await lameduck('--version')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('prints help listing the doctor command', async () => {
    const run = await lameduck('--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: lameduck <command> \[options\]\n/);
    expect(run.stdout).toMatch(/\n {2}doctor {2}check Kubernetes manifests/);
  });

  it('prints doctor help with every rule id', async () => {
    const run = await lameduck('doctor', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: lameduck doctor \[--format text\|json\|sarif\] /);
    expect(run.stdout).toMatch(/\n {2}grace-period-too-short +error {3}/);
    expect(run.stdout).toContain('Exit status: 0 nothing at or above --fail-on, 1 findings at or above it');
  });
});
