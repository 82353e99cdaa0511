// Reading every input the doctor is given, keeping going past the ones it cannot check: each of
// those becomes a problem (file, line and column where known), and the rest is checked.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  type KubeObject,
  ManifestError,
  parseManifest,
  STDIN_NAME,
  TemplateError,
} from '../kubernetes/manifest.js';
import type { Finding } from './rule.js';

/** The ids that input problems carry in place of a rule's. */
export const INPUT_RULES = {
  unreadable: 'unreadable-input',
  template: 'helm-template',
  kustomization: 'kustomization',
} as const;

export interface Inputs {
  objects: KubeObject[];
  /** Files that could not be checked, as findings of kind `File`. */
  problems: Finding[];
  /** How many files were read (a directory counts its YAML files). */
  files: number;
}

const KUSTOMIZATION = /^(?:kustomization\.ya?ml|Kustomization)$/;
const YAML_FILE = /\.ya?ml$/;

function problem(
  file: string,
  rule: string,
  severity: Finding['severity'],
  message: string,
  fix: string,
  where: { line?: number; column?: number } = {},
): Finding {
  return {
    file,
    ...(where.line === undefined ? {} : { line: where.line, column: where.column ?? 1 }),
    kind: 'File',
    name: basename(file),
    rule,
    severity,
    message,
    fix,
  };
}

/**
 * The text of a file, or why it is not YAML text: binary (NUL bytes), UTF-16 (a byte-order mark,
 * or every other byte NUL), or not valid UTF-8. A UTF-8 byte-order mark is dropped.
 */
export function decode(bytes: Uint8Array): { text: string } | { error: string; fix: string } {
  const utf16Bom =
    bytes.length >= 2 &&
    ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff));
  const sample = bytes.subarray(0, 4096);
  const nulAt = sample.indexOf(0);
  const alternatingNuls =
    sample.length >= 4 &&
    [...sample].filter((byte, index) => byte === 0 && index % 2 === nulAt % 2).length >=
      sample.length / 2 - 1;
  if (utf16Bom || (nulAt !== -1 && alternatingNuls)) {
    return {
      error: 'UTF-16 text, not UTF-8',
      fix: 'convert it: iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8.yaml',
    };
  }
  if (nulAt !== -1) return { error: 'a binary file, not YAML text', fix: 'pass only Kubernetes YAML files' };
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
    return { text };
  } catch {
    return { error: 'not UTF-8 text', fix: 'save it as UTF-8 (Kubernetes reads YAML as UTF-8)' };
  }
}

/** The chart directory of a template: the nearest directory above it with a Chart.yaml. */
async function chartDirectory(file: string): Promise<string | undefined> {
  let directory = dirname(file);
  for (let depth = 0; depth < 6; depth += 1) {
    if (await exists(join(directory, 'Chart.yaml'))) return directory;
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  return undefined;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** YAML files under a directory, sorted, skipping dot-directories and node_modules. */
async function yamlFilesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const found: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && entry.name !== 'node_modules')
        found.push(...(await yamlFilesUnder(path)));
    } else if (YAML_FILE.test(entry.name) || KUSTOMIZATION.test(entry.name)) {
      found.push(path);
    }
  }
  return found;
}

/** One file's objects, or the problem that keeps it from being checked. */
/** A kustomization by name, by `kind: Kustomization`, or by Kustomize's keys with no `kind` at all. */
function isKustomization(file: string, source: string): boolean {
  if (KUSTOMIZATION.test(basename(file))) return true;
  if (/^kind:\s*(?:Kustomization|Component)\s*$/m.test(source)) return true;
  return !/^kind:/m.test(source) && /^(?:resources|bases|components):/m.test(source);
}

async function readOne(
  file: string,
  source: string,
): Promise<{ objects: KubeObject[] } | { problem: Finding }> {
  if (isKustomization(file, source)) {
    const directory = dirname(file);
    return {
      problem: problem(
        file,
        INPUT_RULES.kustomization,
        'info',
        'a Kustomize kustomization: what it builds is not in this file',
        `render it and check the result: kubectl kustomize ${directory} | lameduck doctor -`,
      ),
    };
  }
  try {
    return { objects: parseManifest(file, source) };
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error;
    const where = { line: error.line, column: error.column };
    // The message starts with `file:line:column: `; the finding carries those separately.
    const detail = error.message.slice(error.message.indexOf(': ', file.length) + 2);
    if (error instanceof TemplateError) {
      const chart = file === STDIN_NAME ? undefined : await chartDirectory(file);
      return {
        problem: problem(
          file,
          INPUT_RULES.template,
          'info',
          detail,
          `render it and check the result: helm template ${chart ?? 'CHART'} | lameduck doctor -`,
          where,
        ),
      };
    }
    return {
      problem: problem(file, INPUT_RULES.unreadable, 'error', detail, 'fix the YAML there', where),
    };
  }
}

export interface LoadOptions {
  /** Reads standard input, for the file name `-` (`helm template … | lameduck doctor -`). */
  readStdin?: () => Promise<string>;
}

/** Reads every file (a directory: its YAML files, recursively) and never stops at a bad one. */
export async function loadInputs(paths: readonly string[], options: LoadOptions = {}): Promise<Inputs> {
  const inputs: Inputs = { objects: [], problems: [], files: 0 };
  const take = async (file: string, source: string) => {
    inputs.files += 1;
    const result = await readOne(file, source);
    if ('problem' in result) inputs.problems.push(result.problem);
    else inputs.objects.push(...result.objects);
  };
  for (const path of paths) {
    if (path === '-') {
      if (!options.readStdin) throw new ManifestError('reading standard input (-) is not available here');
      await take(STDIN_NAME, await options.readStdin());
      continue;
    }
    let files: string[];
    try {
      files = (await stat(path)).isDirectory() ? await yamlFilesUnder(path) : [path];
    } catch (cause) {
      inputs.files += 1;
      inputs.problems.push(
        problem(path, INPUT_RULES.unreadable, 'error', readFailure(cause), 'check the path'),
      );
      continue;
    }
    for (const file of files) {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(file);
      } catch (cause) {
        inputs.files += 1;
        inputs.problems.push(
          problem(file, INPUT_RULES.unreadable, 'error', readFailure(cause), 'check the path'),
        );
        continue;
      }
      const decoded = decode(bytes);
      if ('error' in decoded) {
        inputs.files += 1;
        inputs.problems.push(problem(file, INPUT_RULES.unreadable, 'error', decoded.error, decoded.fix));
        continue;
      }
      await take(file, decoded.text);
    }
  }
  return inputs;
}

function readFailure(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  const message = cause instanceof Error ? cause.message : String(cause);
  return `cannot be read: ${message.split('\n', 1)[0]}`;
}
