import { readFile, stat } from 'node:fs/promises';
import { Composer, type Document, LineCounter, Parser } from 'yaml';
import { type Fields, fields, items, text } from './values.js';
import { WORKLOAD_KINDS } from './workload.js';

/** One Kubernetes object from one of the files given, in the order it appeared. */
export interface KubeObject {
  file: string;
  kind: string;
  name: string;
  namespace: string | undefined;
  body: Fields;
  /** Where its document starts in the file, 1-based (for an item of a List: where the List starts). */
  line?: number;
  column?: number;
}

/** The input cannot be checked at all (missing file, a directory, YAML that does not parse). */
export class ManifestError extends Error {
  override name = 'ManifestError';
  /** Where in the file, when known (1-based). */
  line?: number;
  column?: number;
}

/**
 * A Go-template action as Helm writes them: `{{ .Values.x }}`, `{{- include … }}`, `{{ if … }}`.
 * Other `{{` (Mustache in a ConfigMap, Argo CD's `{{path}}`) are left to the YAML.
 */
export const HELM_ACTION =
  /\{\{-?\s*(?:\.[A-Za-z$]|\$|\/\*|(?:include|template|toYaml|tpl|if|else|end|range|with|define|default|required|quote|printf|nindent|indent)\b)/;

/** Kinds whose fields the rules read: a Helm action in one of them means the file is a template. */
const READ_KINDS = new Set<string>([
  ...WORKLOAD_KINDS,
  'Service',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
]);

/** The file is a Helm template: its placeholders would be checked as values ("replicas unset"). */
export class TemplateError extends ManifestError {
  override name = 'TemplateError';
}

/**
 * Parses one file's text: multi-document YAML (`---`), and `kind: List` (or any `*List` with
 * `items`) flattened into its items. Documents that are empty or have no `kind` are skipped.
 * Kubernetes reads YAML 1.1 (`yes`/`no` are booleans), so this does too.
 */
export function parseManifest(file: string, source: string): KubeObject[] {
  const lineCounter = new LineCounter();
  const parser = new Parser(lineCounter.addNewLine);
  const composer = new Composer({
    version: '1.1',
    merge: true,
    uniqueKeys: true,
    // A placeholder such as `{{ .Values.x }}` parses as a mapping key; yaml would warn on stderr.
    logLevel: 'error',
  });
  const objects: KubeObject[] = [];
  // Each document is turned into plain values as soon as it is composed and its syntax tree
  // dropped: holding every tree until the end (parseAllDocuments) cost 36× the input in memory.
  withPlainEnvironment(() => {
    for (const document of composer.compose(parser.parse(source))) {
      readDocument(file, source, document, lineCounter, objects);
    }
  });
  return objects;
}

/**
 * Runs `read` with `process.env` as a plain copy of itself. yaml's parser reads
 * `process.env.LOG_TOKENS` once per token, and on Node each read of the real `process.env` is a
 * call into C++ (getenv): a third of the parse time of a large render. The copy has the same
 * values, and nothing else runs while `read` does (it is synchronous).
 */
function withPlainEnvironment<T>(read: () => T): T {
  const environment = process.env;
  process.env = { ...environment };
  try {
    return read();
  } finally {
    process.env = environment;
  }
}

function readDocument(
  file: string,
  source: string,
  document: Document.Parsed,
  lineCounter: LineCounter,
  objects: KubeObject[],
): void {
  const error = document.errors[0];
  if (error) {
    const position = error.pos[0] === -1 ? undefined : lineCounter.linePos(error.pos[0]);
    const where = position ? `${file}:${position.line}:${position.col}` : file;
    // Helm's control lines (`{{- if … }}`) are what usually breaks the YAML of a template.
    const Kind = HELM_ACTION.test(source) ? TemplateError : ManifestError;
    const message =
      Kind === TemplateError
        ? `${where}: a Helm template: YAML does not parse until it is rendered`
        : `${where}: YAML does not parse: ${firstLine(error.message)}`;
    throw located(new Kind(message), position?.line, position?.col);
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 1000 });
  } catch (cause) {
    throw new ManifestError(`${file}: YAML cannot be read: ${firstLine(messageOf(cause))}`);
  }
  const start = document.contents?.range?.[0];
  const position = start === undefined ? undefined : lineCounter.linePos(start);
  const before = objects.length;
  collect(file, value, objects, position);
  const range = document.range;
  if (objects.length === before || !objects.slice(before).some((object) => READ_KINDS.has(object.kind)))
    return;
  const text = source.slice(range[0], range[2]);
  if (HELM_ACTION.test(text)) {
    const at = text.search(HELM_ACTION) + range[0];
    const { line, col } = lineCounter.linePos(at);
    throw located(
      new TemplateError(`${file}:${line}:${col}: a Helm template: its {{ … }} placeholders are not values`),
      line,
      col,
    );
  }
}

function collect(
  file: string,
  value: unknown,
  into: KubeObject[],
  position: { line: number; col: number } | undefined,
): void {
  const body = fields(value);
  const kind = text(body?.kind);
  if (!body || !kind) return;
  if (kind.endsWith('List') && Array.isArray(body.items)) {
    for (const item of items(body.items)) collect(file, item, into, position);
    return;
  }
  const metadata = fields(body.metadata);
  into.push({
    file,
    kind,
    name: text(metadata?.name) ?? text(metadata?.generateName) ?? '(unnamed)',
    namespace: text(metadata?.namespace),
    body,
    ...(position ? { line: position.line, column: position.col } : {}),
  });
}

export interface ReadOptions {
  /** Reads standard input, for the file name `-` (`helm template … | lameduck doctor -`). */
  readStdin?: () => Promise<string>;
}

/** The name findings give to standard input. */
export const STDIN_NAME = '<stdin>';

/** Reads and parses every file, in order; the first unusable one ends the run. */
export async function readManifests(
  files: readonly string[],
  options: ReadOptions = {},
): Promise<KubeObject[]> {
  const objects: KubeObject[] = [];
  for (const file of files) {
    if (file === '-') {
      if (!options.readStdin) throw new ManifestError('reading standard input (-) is not available here');
      objects.push(...parseManifest(STDIN_NAME, await options.readStdin()));
      continue;
    }
    let source: string;
    try {
      if ((await stat(file)).isDirectory()) {
        throw new ManifestError(
          `${file}: is a directory; pass the YAML files in it (for example ${file}/*.yaml)`,
        );
      }
      source = await readFile(file, 'utf8');
    } catch (cause) {
      if (cause instanceof ManifestError) throw cause;
      const code = (cause as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ManifestError(`${file}: no such file`);
      if (code === 'EACCES') throw new ManifestError(`${file}: permission denied`);
      throw new ManifestError(`${file}: cannot be read: ${firstLine(messageOf(cause))}`);
    }
    objects.push(...parseManifest(file, source));
  }
  return objects;
}

function located<T extends ManifestError>(error: T, line: number | undefined, column: number | undefined): T {
  if (line !== undefined) error.line = line;
  if (column !== undefined) error.column = column;
  return error;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** yaml's messages end their first line with " at line N, column M:" before a code excerpt. */
function firstLine(message: string): string {
  return (message.split('\n', 1)[0] ?? '').replace(/ at line \d+, column \d+:?$/, '').trim();
}
