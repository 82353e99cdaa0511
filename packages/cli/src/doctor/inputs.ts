// Reading every input the doctor is given, keeping going past the ones it cannot check: each of
// those becomes a problem (file, line and column where known), and the rest is checked.
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  type KubeObject,
  ManifestError,
  parseManifest,
  STDIN_NAME,
  TemplateError,
} from '../kubernetes/manifest.js';
import {
  InputTooLarge,
  LIMITS,
  mebibytes,
  type Refusal,
  readBounded,
  runBudgetSpent,
  tooLarge,
  withoutLargeDocuments,
} from './limits.js';
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

/**
 * YAML files under a directory, sorted, skipping dot-directories and node_modules. A symlinked
 * sub-directory is followed unless it leads back to a directory already walked (a loop, or the
 * same directory twice); one that cannot be read becomes a problem and the walk goes on.
 */
async function yamlFilesUnder(
  directory: string,
  problems: Finding[],
  walked = new Set<string>(),
): Promise<string[]> {
  let entries: Dirent[];
  try {
    const real = await realpath(directory);
    if (walked.has(real)) return [];
    walked.add(real);
    entries = await readdir(directory, { withFileTypes: true });
  } catch (cause) {
    problems.push(
      problem(
        directory,
        INPUT_RULES.unreadable,
        'error',
        `directory ${readFailure(cause)}`,
        'check the path (the files beside it were checked)',
      ),
    );
    return [];
  }
  const found: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(directory, entry.name);
    let isDirectory = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      const target = await stat(path).catch(() => undefined);
      isDirectory = target?.isDirectory() ?? false;
    }
    if (isDirectory) {
      if (!entry.name.startsWith('.') && entry.name !== 'node_modules')
        found.push(...(await yamlFilesUnder(path, problems, walked)));
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

/**
 * Reads every file (a directory: its YAML files, recursively) and never stops at a bad one. Only
 * regular files are read, within LIMITS (per document, per file, per run); each refusal is one
 * problem.
 */
export async function loadInputs(paths: readonly string[], options: LoadOptions = {}): Promise<Inputs> {
  const inputs: Inputs = { objects: [], problems: [], files: 0 };
  let readBytes = 0;
  const refuse = (file: string, refusal: Refusal) => {
    inputs.files += 1;
    inputs.problems.push(problem(file, INPUT_RULES.unreadable, 'error', refusal.refused, refusal.fix));
  };
  const take = async (file: string, text: string) => {
    inputs.files += 1;
    const { source, large } = withoutLargeDocuments(text, LIMITS.documentBytes);
    for (const document of large) {
      inputs.problems.push(
        problem(
          file,
          INPUT_RULES.unreadable,
          'error',
          `a document of ${mebibytes(document.bytes)}, over the ${mebibytes(LIMITS.documentBytes)} the API server accepts for one object: not read`,
          'split it into smaller objects (a ConfigMap or Secret that large belongs in a volume or an image)',
          { line: document.line },
        ),
      );
    }
    const result = await readOne(file, source);
    if ('problem' in result) inputs.problems.push(result.problem);
    else inputs.objects.push(...result.objects);
  };
  const takeBytes = async (file: string, bytes: Uint8Array) => {
    const decoded = decode(bytes);
    if ('error' in decoded) refuse(file, { refused: decoded.error, fix: decoded.fix });
    else await take(file, decoded.text);
  };
  for (const path of paths) {
    if (path === '-') {
      if (!options.readStdin) throw new ManifestError('reading standard input (-) is not available here');
      let text: string;
      try {
        text = await options.readStdin();
      } catch (cause) {
        if (!(cause instanceof InputTooLarge)) throw cause;
        refuse(STDIN_NAME, tooLarge(undefined, cause.limitBytes));
        continue;
      }
      readBytes += text.length;
      await take(STDIN_NAME, text);
      continue;
    }
    let files: string[];
    try {
      files = (await stat(path)).isDirectory() ? await yamlFilesUnder(path, inputs.problems) : [path];
    } catch (cause) {
      refuse(path, { refused: readFailure(cause), fix: 'check the path' });
      continue;
    }
    for (const file of files) {
      const leftBytes = LIMITS.runBytes - readBytes;
      if (leftBytes <= 0) {
        refuse(file, runBudgetSpent(readBytes));
        continue;
      }
      let read: Awaited<ReturnType<typeof readBounded>>;
      try {
        read = await readBounded(file, Math.min(LIMITS.fileBytes, leftBytes), (bytes) =>
          leftBytes < LIMITS.fileBytes && (bytes === undefined || bytes <= LIMITS.fileBytes)
            ? runBudgetSpent(readBytes)
            : tooLarge(bytes, LIMITS.fileBytes),
        );
      } catch (cause) {
        refuse(file, { refused: readFailure(cause), fix: 'check the path' });
        continue;
      }
      if ('refused' in read) {
        refuse(file, read);
        continue;
      }
      readBytes += read.bytes.length;
      await takeBytes(file, read.bytes);
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
