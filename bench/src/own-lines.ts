import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Which of a lameduck frame's sampled lines are lameduck's own code.
 *
 * V8's CPU profile has no frames for inlined functions: when the optimiser inlines the framework
 * code a lameduck function calls (Koa's `handleRequest` behind the probes-first listener, Hono's
 * `next()`), its samples land on the lameduck frame, at lines of the framework's file. Node 20
 * records no inline stacks, so the bench tells them apart by line: a sampled line counts as
 * lameduck's when it lies in the function itself or in a lameduck function it can reach by name
 * (its calls, and theirs); any other line is inlined code from elsewhere. Names are matched
 * across every lameduck file, so a framework line that happens to share a line number with a
 * reachable lameduck function still counts as lameduck's: the rule errs towards charging it.
 */
export class OwnLines {
  readonly #functions = new Map<string, FunctionInfo[]>();
  readonly #byName = new Map<string, FunctionInfo[]>();
  /** `start: this.#onRequest.bind(this)`: calling `start` runs `#onRequest`. */
  readonly #aliases = new Map<string, Set<string>>();
  readonly #allowed = new Map<FunctionInfo, Set<number>>();

  /** Each lameduck file the profile names (its `file://` URL), parsed once per process. */
  constructor(urls: Iterable<string>) {
    for (const url of new Set(urls)) {
      const parsed = parseFile(url);
      if (parsed === undefined) continue;
      this.#functions.set(url, parsed.functions);
      for (const info of parsed.functions) {
        if (info.name === undefined) continue;
        const named = this.#byName.get(info.name);
        if (named === undefined) this.#byName.set(info.name, [info]);
        else named.push(info);
      }
      for (const [name, target] of parsed.aliases) {
        const targets = this.#aliases.get(name);
        if (targets === undefined) this.#aliases.set(name, new Set([target]));
        else targets.add(target);
      }
    }
  }

  /**
   * The share of `ticks` (a profile node's `positionTicks`) that is lameduck's own code, for the
   * function at `line`/`column` (0-based, as the profile's call frame gives them) of `url`. 1 when
   * the file or the function is unknown or the node has no line ticks.
   */
  ownShare(url: string, line: number, column: number, ticks: readonly PositionTick[] | undefined): number {
    if (ticks === undefined || ticks.length === 0) return 1;
    const sampled = this.#innermost(url, line + 1, column);
    if (sampled === undefined) return 1;
    const allowed = this.#allowedLines(sampled);
    let own = 0;
    let all = 0;
    for (const tick of ticks) {
      all += tick.ticks;
      if (allowed.has(tick.line)) own += tick.ticks;
    }
    return all === 0 ? 1 : own / all;
  }

  #innermost(url: string, line: number, column: number): FunctionInfo | undefined {
    let found: FunctionInfo | undefined;
    for (const info of this.#functions.get(url) ?? []) {
      const after = line > info.startLine || (line === info.startLine && column >= info.startColumn);
      const before = line < info.endLine || (line === info.endLine && column <= info.endColumn);
      if (after && before && (found === undefined || info.size < found.size)) found = info;
    }
    return found;
  }

  #allowedLines(root: FunctionInfo): Set<number> {
    const known = this.#allowed.get(root);
    if (known !== undefined) return known;
    const lines = new Set<number>();
    const seen = new Set<FunctionInfo>([root]);
    const queue = [root];
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      for (let line = next.startLine; line <= next.endLine; line += 1) lines.add(line);
      for (const name of this.#withAliases(next.calls)) {
        for (const callee of this.#byName.get(name) ?? []) {
          if (seen.has(callee)) continue;
          seen.add(callee);
          queue.push(callee);
        }
      }
    }
    this.#allowed.set(root, lines);
    return lines;
  }

  #withAliases(names: Set<string>): Set<string> {
    const all = new Set(names);
    for (const name of all) for (const target of this.#aliases.get(name) ?? []) all.add(target);
    return all;
  }
}

export interface PositionTick {
  line: number;
  ticks: number;
}

interface FunctionInfo {
  name: string | undefined;
  /** 1-based lines, 0-based columns, as the profile counts them. */
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  size: number;
  /** Names this function calls (`f()`, `x.f()`, `this.#f()`), nested functions' calls included. */
  calls: Set<string>;
}

interface ParsedFile {
  functions: FunctionInfo[];
  /** [name, target] for `name: target.bind(…)` and `name = target`. */
  aliases: [string, string][];
}

// Every round's profile names the same built files: read and parse each once.
const parsedFiles = new Map<string, ParsedFile | undefined>();

function parseFile(url: string): ParsedFile | undefined {
  if (parsedFiles.has(url)) return parsedFiles.get(url);
  let parsed: ParsedFile | undefined;
  try {
    const source = readFileSync(url.startsWith('file:') ? fileURLToPath(url) : url, 'utf8');
    parsed = functionsOf(url, source);
  } catch {
    parsed = undefined;
  }
  parsedFiles.set(url, parsed);
  return parsed;
}

function functionsOf(url: string, source: string): ParsedFile {
  const file = ts.createSourceFile(url, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const functions: FunctionInfo[] = [];
  const aliases: [string, string][] = [];
  const open: FunctionInfo[] = [];
  const visit = (node: ts.Node): void => {
    let info: FunctionInfo | undefined;
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const start = file.getLineAndCharacterOfPosition(node.getStart(file));
      const end = file.getLineAndCharacterOfPosition(node.getEnd());
      info = {
        name: nameOf(node),
        startLine: start.line + 1,
        startColumn: start.character,
        endLine: end.line + 1,
        endColumn: end.character,
        size: node.getEnd() - node.getStart(file),
        calls: new Set(),
      };
      functions.push(info);
      open.push(info);
    }
    if ((ts.isPropertyAssignment(node) || ts.isVariableDeclaration(node)) && node.initializer !== undefined) {
      const target = boundName(node.initializer);
      if (target !== undefined && ts.isIdentifier(node.name)) aliases.push([node.name.text, target]);
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const callee = calledName(node.expression);
      if (callee !== undefined) for (const enclosing of open) enclosing.calls.add(callee);
    }
    ts.forEachChild(node, visit);
    if (info !== undefined) open.pop();
  };
  visit(file);
  return { functions, aliases };
}

function nameOf(node: ts.Node): string | undefined {
  // `new Tracker()` runs Tracker's constructor.
  if (ts.isConstructorDeclaration(node)) return node.parent.name?.text;
  const named = node as { name?: ts.Node };
  if (named.name !== undefined && (ts.isIdentifier(named.name) || ts.isPrivateIdentifier(named.name))) {
    return named.name.text;
  }
  const parent = node.parent;
  if (parent !== undefined && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent))) {
    return ts.isIdentifier(parent.name) ? parent.name.text : undefined;
  }
  return undefined;
}

/** `f`, `this.#f` or `this.#f.bind(this)` as a value: the name of the function it runs. */
function boundName(initializer: ts.Expression): string | undefined {
  let value = initializer;
  if (
    ts.isCallExpression(value) &&
    ts.isPropertyAccessExpression(value.expression) &&
    value.expression.name.text === 'bind'
  ) {
    value = value.expression.expression;
  }
  return ts.isIdentifier(value) || ts.isPropertyAccessExpression(value) ? calledName(value) : undefined;
}

function calledName(expression: ts.Expression): string | undefined {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  return undefined;
}
