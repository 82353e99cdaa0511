// `lameduck doctor` over growing renders: N Deployment+Service pairs in one file, and one large
// file of small ConfigMaps. Each run is its own child process (as CI runs it), timed from spawn to
// exit, with the peak resident memory the child itself reports at exit (src/doctor-rss.ts).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchContext } from '../context.js';
import { type Column, type Row, round, show } from '../report.js';

export const DOCTOR_COLUMNS: Column[] = [
  { title: 'input', value: show.text('input'), text: true },
  { title: 'objects', value: show.number('inputObjects') },
  { title: 'input MB', value: megabytes('inputBytes', 1) },
  { title: 'CPU s', value: seconds('cpuMs') },
  { title: 'wall s', value: seconds('wallMs') },
  { title: 'peak RSS MB', value: megabytes('peakRssBytes', 0) },
  { title: 'exit', value: show.text('exit'), text: true },
];

function seconds(key: string) {
  return (row: Row) => {
    const value = row[key];
    return typeof value === 'number' ? (value / 1000).toFixed(2) : '—';
  };
}

function megabytes(key: string, digits: number) {
  return (row: Row) => {
    const value = row[key];
    return typeof value === 'number' ? (value / 1e6).toFixed(digits) : '—';
  };
}

/** The built `lameduck` command of this workspace, or the one --doctor-cli names (a build from before a change). */
function doctorCli(context: BenchContext): string {
  if (context.settings.doctorCli) return context.settings.doctorCli;
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@lameduck/cli/package.json')), 'dist', 'cli.js');
}

function pair(index: number): string {
  const name = `web-${index}`;
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app.kubernetes.io/part-of: shop, app: ${name}}
spec:
  replicas: 3
  strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata:
      labels: {app.kubernetes.io/part-of: shop, app: ${name}}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
        - name: app
          image: registry.example/${name}:1.0.0
          ports: [{name: http, containerPort: 8080}]
          readinessProbe: {httpGet: {path: /readyz, port: http}}
          livenessProbe: {httpGet: {path: /livez, port: http}}
          lifecycle: {preStop: {sleep: {seconds: 5}}}
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector: {app.kubernetes.io/part-of: shop, app: ${name}}
  ports: [{name: http, port: 80, targetPort: http}]
`;
}

/** Small ConfigMaps up to `bytes`: the shape of a render that is large because it has many objects. */
function configMaps(bytes: number): { text: string; objects: number } {
  const parts: string[] = [];
  let size = 0;
  let objects = 0;
  while (size < bytes) {
    const part = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-${objects}\ndata:\n  LOG_LEVEL: info\n  FEATURE_FLAGS: "a,b,c,d"\n  GREETING: hello from configmap number ${objects}\n---\n`;
    parts.push(part);
    size += part.length;
    objects += 1;
  }
  return { text: parts.join(''), objects };
}

interface Measured {
  wallMs: number;
  cpuMs: number | null;
  peakRssBytes: number | null;
  exit: string;
}

function runDoctor(cli: string, file: string, rssFile: string): Promise<Measured> {
  const preload = fileURLToPath(new URL('./doctor-rss.js', import.meta.url));
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', preload, cli, 'doctor', file], {
      stdio: ['ignore', 'ignore', 'ignore'],
      env: { ...process.env, LAMEDUCK_BENCH_RSS_FILE: rssFile },
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const wallMs = performance.now() - started;
      let usage: { peakRssBytes: number | null; cpuMs: number | null } = { peakRssBytes: null, cpuMs: null };
      try {
        usage = JSON.parse(readFileSync(rssFile, 'utf8')) as typeof usage;
        rmSync(rssFile);
      } catch {
        // A child killed by V8's heap abort never reaches its exit handler.
      }
      resolve({ wallMs, ...usage, exit: signal ?? String(code) });
    });
  });
}

export async function runDoctorScale(context: BenchContext): Promise<Row[]> {
  const { pairs, largeInputBytes } = context.settings.doctorScale;
  const cli = doctorCli(context);
  const directory = mkdtempSync(join(tmpdir(), 'lameduck-doctor-scale-'));
  const rows: Row[] = [];
  try {
    const inputs: { input: string; file: string; objects: number }[] = [];
    for (const count of pairs) {
      const file = join(directory, `pairs-${count}.yaml`);
      writeFileSync(file, Array.from({ length: count }, (_, index) => pair(index)).join('---\n'));
      inputs.push({ input: `${count.toLocaleString('en-US')} pairs`, file, objects: count * 2 });
    }
    if (largeInputBytes > 0) {
      const file = join(directory, 'configmaps.yaml');
      const { text, objects } = configMaps(largeInputBytes);
      writeFileSync(file, text);
      inputs.push({ input: `${largeInputBytes / 1e6} MB of ConfigMaps`, file, objects });
    }
    for (const { input, file, objects } of inputs) {
      context.log(`doctor-scale: ${input}`);
      const measured = await runDoctor(cli, file, join(directory, 'rss.json'));
      const inputBytes = statSync(file).size;
      rows.push({
        scenario: 'doctor-scale',
        framework: 'node',
        variant: context.settings.doctorCli ? 'lameduck-baseline' : 'lameduck',
        input,
        inputObjects: objects,
        inputBytes,
        cpuMs: measured.cpuMs,
        wallMs: round(measured.wallMs, 0),
        peakRssBytes: measured.peakRssBytes,
        exit: measured.exit,
      });
      const mb = (bytes: number | null) => (bytes === null ? '—' : `${Math.round(bytes / 1e6)} MB`);
      const cpu = measured.cpuMs === null ? '—' : (measured.cpuMs / 1000).toFixed(2);
      context.log(
        `doctor-scale: ${input}: ${cpu} s CPU, ${(measured.wallMs / 1000).toFixed(2)} s wall, peak RSS ${mb(measured.peakRssBytes)}, exit ${measured.exit}`,
      );
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  return rows;
}
