import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanYaml } from './helpers.js';

// What a pull request can put in a directory CI checks: every case ends in one line per refusal
// and a bounded time, and the other files are still checked. The built bin, as CI runs it.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
/** Far above what these take (well under a second each); a hang would run into it. */
const HANG_MS = 20_000;
const NO_STACK = /\n\s+at |Error:|node:internal/;

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** As root nothing is unreadable: such a run goes as `nobody` (uid 65534) instead. */
const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

function lameduck(
  args: string[],
  input?: string,
  user: { uid?: number; gid?: number; cwd?: string } = {},
): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [join(packageDir, 'dist/cli.js'), ...args],
      { cwd: packageDir, timeout: HANG_MS, maxBuffer: 64 * 1024 * 1024, ...user },
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          signal: error?.signal ?? null,
          stdout,
          stderr,
          ms: performance.now() - started,
        });
      },
    );
    // The bin stops reading an input that is too large: the rest of what is written fails (EPIPE).
    child.stdin?.on('error', () => {});
    if (input !== undefined) child.stdin?.end(input);
  });
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'lameduck-hostile-'));
}

const configMap = (index: number) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings-${index}\ndata:\n  A: "${'x'.repeat(100)}"\n`;

describe('lameduck doctor on hostile inputs', () => {
  it('refuses a *.yaml that is a FIFO in one line, and checks the file beside it', async () => {
    const root = scratch();
    execFileSync('mkfifo', [join(root, 'a-pipe.yaml')]);
    writeFileSync(join(root, 'b-clean.yaml'), cleanYaml);
    const run = await lameduck(['doctor', root]);
    expect(run.signal, 'the run hung on the FIFO').toBeNull();
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      `${join(root, 'a-pipe.yaml')}: error: unreadable-input: a named pipe (FIFO), not a regular file: reading it could wait forever — pass regular files only (save what a pipe or device gives to a file first)\n`,
    );
    expect(run.stderr).toMatch(/\(3 objects in 2 files\)/);
  });

  it('refuses a symlink to /dev/zero (given, or in a directory) without reading it', async () => {
    const root = scratch();
    symlinkSync('/dev/zero', join(root, 'zero.yaml'));
    const run = await lameduck(['doctor', root, join(root, 'zero.yaml')]);
    expect(run.signal, 'the run read /dev/zero until killed').toBeNull();
    expect(run.code).toBe(2);
    expect(run.stdout.trim().split('\n')).toEqual([
      `${join(root, 'zero.yaml')}: error: unreadable-input: a character device, not a regular file: reading it may never end — pass regular files only (save what a pipe or device gives to a file first)`,
      `${join(root, 'zero.yaml')}: error: unreadable-input: a character device, not a regular file: reading it may never end — pass regular files only (save what a pipe or device gives to a file first)`,
    ]);
    expect(run.stdout + run.stderr).not.toMatch(NO_STACK);
  });

  it('refuses a file over 8 MiB by its size, quickly, and checks the others', async () => {
    const root = scratch();
    const parts: string[] = [];
    for (let index = 0, size = 0; size < 9 * 1024 * 1024; index += 1) {
      const part = `${configMap(index)}---\n`;
      parts.push(part);
      size += part.length;
    }
    writeFileSync(join(root, 'a-huge.yaml'), parts.join(''));
    writeFileSync(join(root, 'b-clean.yaml'), cleanYaml);
    const run = await lameduck(['doctor', root]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      `${join(root, 'a-huge.yaml')}: error: unreadable-input: 9.0 MiB, over the 8 MiB a file may have (64 MiB a run, 1.5 MiB a document): not read — split it into smaller files, or check it in parts\n`,
    );
    expect(run.stderr).toMatch(/\(3 objects in 2 files\)/);
  });

  it('refuses standard input over 8 MiB in one line', async () => {
    const run = await lameduck(['doctor', '-'], 'x'.repeat(9 * 1024 * 1024));
    expect(run.code).toBe(2);
    expect(run.stdout).toBe(
      '<stdin>: error: unreadable-input: over 8 MiB, over the 8 MiB a file may have (64 MiB a run, 1.5 MiB a document): not read — split it into smaller files, or check it in parts\n',
    );
  });

  it('refuses one document over 1.5 MiB, at its line, and reads the rest of its file', async () => {
    const root = scratch();
    const big = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: "${'y'.repeat(1.6 * 1024 * 1024)}"\n`;
    writeFileSync(join(root, 'all.yaml'), `${cleanYaml}---\n${big}---\n${configMap(1)}`);
    const lines = cleanYaml.split('\n').length;
    const run = await lameduck(['doctor', '--json', join(root, 'all.yaml')]);
    const findings = JSON.parse(run.stdout) as { line?: number; message: string; name: string }[];
    expect(findings.map((finding) => [finding.line, finding.message])).toEqual([
      [lines, 'a document of 1.6 MiB, over the 1.5 MiB the API server accepts for one object: not read'],
    ]);
    expect(run.code).toBe(1);
    const text = await lameduck(['doctor', join(root, 'all.yaml')]);
    expect(text.stderr).toMatch(/\(4 objects in 1 file\)/);
  });

  it('stops reading at 64 MiB a run: the files after that are refused one line each', async () => {
    // Binary files are refused once read, without parsing: the run's bytes add up fast.
    const root = scratch();
    const binary = new Uint8Array(7.5 * 1024 * 1024).fill(0x61);
    binary[10] = 0;
    for (let index = 0; index < 10; index += 1) writeFileSync(join(root, `part-${index}.yaml`), binary);
    const run = await lameduck(['doctor', root]);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines.slice(0, 8).every((line) => line.includes('a binary file, not YAML text'))).toBe(true);
    expect(lines.slice(8)).toEqual(
      [8, 9].map(
        (index) =>
          `${join(root, `part-${index}.yaml`)}: error: unreadable-input: not read: the files before it came to 60 MiB, and a run reads at most 64 MiB — check the files in several runs`,
      ),
    );
    expect(run.code).toBe(2);
  });

  it('follows a symlinked sub-directory, once, even when links make a loop', async () => {
    const root = scratch();
    const real = join(root, 'real');
    mkdirSync(real);
    writeFileSync(join(real, 'web.yaml'), cleanYaml);
    symlinkSync(real, join(root, 'linked'));
    symlinkSync(root, join(real, 'loop'));
    const run = await lameduck(['doctor', join(root, 'linked')]);
    expect(run.signal).toBeNull();
    expect(run.stderr).toBe('lameduck doctor: no findings (3 objects in 1 file)\n');
    expect(run.code).toBe(0);
  });

  it('reports an unreadable sub-directory in one line and checks the file beside it', async () => {
    const root = scratch();
    chmodSync(root, 0o755);
    mkdirSync(join(root, 'secret'));
    chmodSync(join(root, 'secret'), 0);
    writeFileSync(join(root, 'web.yaml'), cleanYaml);
    const run = await lameduck(['doctor', root], undefined, asNobody);
    expect(run.stdout).toBe(
      `${join(root, 'secret')}: error: unreadable-input: directory permission denied — check the path (the files beside it were checked)\n`,
    );
    expect(run.code).toBe(1);
  });

  it('prints names with \\r, \\n and ESC escaped: no line of its own, no ::error workflow command', async () => {
    const root = scratch();
    const file = join(root, 'evil\n::error file=app.js,line=1::forged.yaml');
    const named = cleanYaml
      .replace('replicas: 3', 'replicas: 1')
      .replaceAll('name: web\n', 'name: "web\\r::error file=app.js::forged\\e[2K"\n');
    writeFileSync(file, named);
    const run = await lameduck(['doctor', file]);
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line.startsWith(`${root}/evil\\n::error file=app.js,line=1::forged.yaml:`)).toBe(true);
      expect(line.includes('\r') || line.includes('\u001b')).toBe(false);
    }
    expect(run.stdout).toContain('web\\r::error file=app.js::forged\\x1b[2K');
  });

  it('keeps SARIF artifact URIs relative paths: `javascript:` and `#` are encoded in their segment', async () => {
    const root = scratch();
    mkdirSync(join(root, 'javascript:alert(1)'));
    writeFileSync(
      join(root, 'javascript:alert(1)', 'x#1.yaml'),
      cleanYaml.replace('replicas: 3', 'replicas: 1'),
    );
    const run = await lameduck(['doctor', '--format', 'sarif', 'javascript:alert(1)/x#1.yaml'], undefined, {
      cwd: root,
    });
    const log = JSON.parse(run.stdout) as {
      runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
    };
    const uris = new Set(
      log.runs[0]?.results.map((result) => result.locations[0]?.physicalLocation.artifactLocation.uri),
    );
    expect([...uris]).toEqual(['javascript%3Aalert(1)/x%231.yaml']);
  });
});
