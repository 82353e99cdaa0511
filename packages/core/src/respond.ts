import { AnswerCache, type CachedAnswer } from './answer-cache.js';
import type { CheckKind, CheckRegistry } from './checks.js';
import { formatJson, formatText } from './format.js';
import type { ProbePaths } from './paths.js';
import type { ProbeQuery, ProbeReport } from './probe.js';
import type { ProbeDetail } from './probe-detail.js';
import type { LifecycleState } from './states.js';
import { sanitise } from './text.js';

/** What an adapter hands over: plain data from any framework or runtime. */
export interface ProbeRequest {
  /** HTTP method as received (`GET`, `HEAD`, ...). */
  method: string;
  /** The raw (not decoded) path. A query string after `?` is accepted here too. */
  path: string;
  /** The raw query string, with or without its leading `?`. */
  query?: string;
  /** Request headers: Node's header object, or anything with `get(name)` such as fetch `Headers`. */
  headers?: HeaderSource;
}

export type HeaderSource =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | { get(name: string): string | null | undefined };

export interface ProbeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface ResponderContext {
  paths: ProbePaths;
  /** The three probe paths, for the cheap test every request pays (see `mayBeProbe`). */
  bases: readonly string[];
  exposeDetails: boolean;
  /** How much a body says (see `ProbeDetail`); 'full' when left out. */
  probeDetail?: ProbeDetail;
  knownCheck(kind: CheckKind, name: string): boolean;
  evaluate(kind: CheckKind, query: ProbeQuery): Promise<ProbeReport>;
  /** Reuse of plain probe answers (see `AnswerCache`); without it every answer is built. */
  cache?: ResponderCache;
}

export interface ResponderCache {
  readonly answers: AnswerCache;
  generation(kind: CheckKind): number;
  state(): LifecycleState;
  /** Until when every check of `kind` answers from its cache (see `CheckRegistry.freshUntil`). */
  freshUntil(kind: CheckKind): number;
}

/** The cache of a lifecycle's answers, kept while its check results and its state hold. */
export function responderCache(
  registry: Pick<CheckRegistry, 'generation' | 'freshUntil' | 'names'>,
  machine: { readonly state: LifecycleState },
  now: () => number,
): ResponderCache {
  const generation = (kind: CheckKind) => registry.generation(kind);
  const state = () => machine.state;
  return {
    answers: new AnswerCache({ generation, state, now }),
    generation,
    state,
    freshUntil: (kind) => registry.freshUntil(registry.names(kind)),
  };
}

/**
 * The Node handler's synchronous shortcut: the kept answer to a plain probe (`GET /readyz`,
 * exactly a probe path, no query), or undefined.
 */
export type CachedAnswerLookup = (
  method: unknown,
  target: string,
  accept: unknown,
) => CachedAnswer | undefined;

/** Longer paths or queries are not something a probe sends; refuse them before parsing. */
export const MAX_PROBE_PATH_LENGTH = 1024;
export const MAX_PROBE_QUERY_LENGTH = 2048;

const ALLOW = 'GET, HEAD';
const TEXT = 'text/plain; charset=utf-8';

/** Longest Accept header worth parsing; a longer one is answered as if absent (text). */
const MAX_ACCEPT_LENGTH = 1024;

/**
 * Answers a probe request, or returns `undefined` at once (synchronously) when the path is not a
 * probe path, so a middleware can pass the request on without waiting. Never throws and never
 * rejects: hostile input gets a 4xx, a failing check gets a 503.
 */
export function answerProbe(
  context: ResponderContext,
  request: ProbeRequest,
): Promise<ProbeResponse> | undefined {
  let target: unknown;
  try {
    if (request === null || typeof request !== 'object') return undefined;
    target = request.path;
  } catch {
    // A request whose path cannot be read (a getter that throws, a revoked Proxy) is not ours.
    return undefined;
  }
  // Every request of the app passes through here: reject non-probe paths before allocating.
  if (typeof target !== 'string' || !mayBeProbe(context.bases, target)) return undefined;
  const fields = readRequest(request, target);
  if (fields === undefined) {
    return Promise.resolve(plain(400, 'cannot read the probe request (a property of it threw)\n', 'GET'));
  }
  const match = matchProbePath(context.paths, fields.path);
  if (match === undefined) return undefined;
  if (context.cache !== undefined && isPlainProbe(fields, match)) {
    const kept = context.cache.answers.get(plainKey(match.kind, fields), match.kind);
    // A copy: callers own the response they are given.
    if (kept !== undefined) {
      return Promise.resolve({ status: kept.status, headers: { ...kept.headers }, body: kept.body });
    }
  }
  return answer(context, fields, match).catch(
    // Belt and braces: evaluate() does not reject, but a responder must never break the app.
    () => plain(500, 'internal error while answering the probe\n', fields.method),
  );
}

/** The kept answer for a target that is exactly one of the probe paths, if it still holds. */
export function cachedAnswerFor(
  context: ResponderContext,
  method: unknown,
  target: string,
  accept: unknown,
): CachedAnswer | undefined {
  const cache = context.cache;
  if (cache === undefined || (method !== 'GET' && method !== 'HEAD')) return undefined;
  const { paths } = context;
  const kind: CheckKind | undefined =
    target === paths.readiness
      ? 'readiness'
      : target === paths.liveness
        ? 'liveness'
        : target === paths.startup
          ? 'startup'
          : undefined;
  if (kind === undefined) return undefined;
  const json = typeof accept === 'string' && acceptsHealthJson(accept);
  return cache.answers.get(AnswerCache.key(kind, json, method === 'HEAD'), kind);
}

/** No check name and no query: the one shape whose answer is kept. */
function isPlainProbe(request: RequestFields, match: PathMatch): boolean {
  return (
    match.checkSegment === undefined &&
    request.query === '' &&
    (request.method === 'GET' || request.method === 'HEAD')
  );
}

function plainKey(kind: CheckKind, request: RequestFields): number {
  return AnswerCache.key(kind, acceptsHealthJson(request.accept), request.method === 'HEAD');
}

/**
 * True when `target` (a raw path, with or without its query, or an absolute-form target such as
 * `http://host/readyz`) is a probe path or under one: the only work a non-probe request pays,
 * with no allocation. `matchProbePath` decides the rest.
 */
export function mayBeProbe(bases: readonly string[], target: string): boolean {
  const start = pathStart(target);
  if (start === -1) return false;
  for (const base of bases) {
    if (target.startsWith(base, start)) {
      const next = target.charCodeAt(start + base.length);
      // end of string, '/' or '?'
      if (Number.isNaN(next) || next === 47 || next === 63) return true;
    }
  }
  return false;
}

/**
 * Where the path begins in a request target: 0 for origin-form (`/readyz`), after the authority
 * for absolute-form (`http://host:8080/readyz`, RFC 9112 §3.2.2), -1 for anything else
 * (`*`, authority-form, an absolute URL with no path).
 */
export function pathStart(target: string): number {
  if (target.charCodeAt(0) === 47) return 0;
  const scheme = target.indexOf('://');
  if (scheme !== 4 && scheme !== 5) return -1;
  const name = target.slice(0, scheme).toLowerCase();
  if (name !== 'http' && name !== 'https') return -1;
  for (let index = scheme + 3; index < target.length; index += 1) {
    const code = target.charCodeAt(index);
    if (code === 47) return index; // '/': the path starts here
    if (code === 63 || code === 35) return -1; // '?' or '#': no path at all
  }
  return -1;
}

/** What the responder needs of a request, read once, each field checked. */
interface RequestFields {
  method: string;
  path: string;
  query: string;
  accept: string;
}

/** Reads the request's fields once; undefined when one of them throws. */
function readRequest(request: ProbeRequest, target: string): RequestFields | undefined {
  try {
    const method = request.method;
    const separate = request.query;
    const rest = target.slice(pathStart(target));
    const mark = rest.indexOf('?');
    const path = mark === -1 ? rest : rest.slice(0, mark);
    const fromPath = mark === -1 ? '' : rest.slice(mark + 1);
    const query = typeof separate === 'string' && separate !== '' ? separate : fromPath;
    return {
      method: typeof method === 'string' ? method : '',
      path,
      query: query.startsWith('?') ? query.slice(1) : query,
      accept: readHeader(request.headers, 'accept'),
    };
  } catch {
    return undefined;
  }
}

interface PathMatch {
  kind: CheckKind;
  /** The raw (still encoded) check segment after the probe path, if any. */
  checkSegment?: string;
  tooLong: boolean;
}

function matchProbePath(paths: ProbePaths, rawPath: string): PathMatch | undefined {
  const path = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
  for (const kind of ['readiness', 'liveness', 'startup'] as const) {
    const base = paths[kind];
    if (path === base) return { kind, tooLong: false };
    if (path.startsWith(`${base}/`)) {
      return {
        kind,
        checkSegment: path.slice(base.length + 1),
        tooLong: rawPath.length > MAX_PROBE_PATH_LENGTH,
      };
    }
  }
  return undefined;
}

async function answer(
  context: ResponderContext,
  request: RequestFields,
  match: PathMatch,
): Promise<ProbeResponse> {
  const { method, query: rawQuery } = request;
  if (method !== 'GET' && method !== 'HEAD') {
    const response = plain(
      405,
      `method ${sanitise(method, 20) || '(none)'} not allowed; probes answer GET and HEAD\n`,
      method,
    );
    response.headers.Allow = ALLOW;
    return response;
  }
  if (match.tooLong || rawQuery.length > MAX_PROBE_QUERY_LENGTH) {
    return plain(414, 'probe path or query too long\n', method);
  }
  let only: string | undefined;
  if (match.checkSegment !== undefined) {
    let name: string;
    try {
      name = decodeURIComponent(match.checkSegment);
    } catch {
      return plain(400, 'malformed percent-encoding in the check name\n', method);
    }
    if (!context.knownCheck(match.kind, name)) {
      const shown = /^[A-Za-z0-9_.-]{1,63}$/.test(name) ? `"${name}"` : 'by that name';
      return plain(404, `no ${match.kind} check ${shown}\n`, method);
    }
    only = name;
  }

  const plainProbe = only === undefined && rawQuery === '';
  // The plain probe (no query) skips parsing one: the shape every probe storm has.
  const params = plainProbe ? undefined : new URLSearchParams(rawQuery);
  const format = params === undefined ? null : params.get('format');
  if (format !== null && format !== 'json' && format !== 'text') {
    return plain(400, 'unknown format; use ?format=json or ?format=text\n', method);
  }
  const json = format === 'json' || (format === null && acceptsHealthJson(request.accept));
  const verbose = params?.has('verbose') ?? false;
  const exclude = params === undefined ? [] : params.getAll('exclude').filter((name) => name !== '');

  const cache = plainProbe ? context.cache : undefined;
  const generation = cache?.generation(match.kind);
  const stateBefore = cache?.state();
  const report = await context.evaluate(match.kind, only === undefined ? { exclude } : { only });
  const status = report.status === 'fail' ? 503 : 200;
  const body = json
    ? formatJson(report, context.exposeDetails, context.probeDetail)
    : formatText(report, { verbose, exposeDetails: context.exposeDetails, detail: context.probeDetail });
  const headers: Record<string, string> = {
    'Content-Type': json ? 'application/health+json' : TEXT,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  };
  // The format follows Accept unless ?format= chose it: caches must key on Accept.
  if (format === null) headers.Vary = 'Accept';
  const response = withBody(status, headers, body, method);
  // Kept only when built from cached results alone (a fresh one says `cached: false`) and
  // nothing moved while it was built, so a kept answer is exactly what building would give.
  if (
    cache !== undefined &&
    report.state === stateBefore &&
    cache.generation(match.kind) === generation &&
    report.checks.every((check) => check.cached)
  ) {
    const freshUntil = cache.freshUntil(match.kind);
    if (freshUntil > Number.NEGATIVE_INFINITY) {
      cache.answers.set(AnswerCache.key(match.kind, json, method === 'HEAD'), {
        status,
        headers: Object.freeze({ ...response.headers }),
        headerList: Object.entries(response.headers).flat(),
        body: response.body,
        generation: generation as number,
        state: report.state,
        freshUntil,
      });
    }
  }
  return response;
}

function plain(status: number, body: string, method: string): ProbeResponse {
  return withBody(
    status,
    { 'Content-Type': TEXT, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
    body,
    method,
  );
}

/**
 * HEAD gets no body but the Content-Length a GET would get (RFC 9110 §8.6, §9.3.2), set here
 * once so that every adapter sends the same.
 */
function withBody(
  status: number,
  headers: Record<string, string>,
  body: string,
  method: string,
): ProbeResponse {
  headers['Content-Length'] = String(utf8Length(body));
  return { status, headers, body: method === 'HEAD' ? '' : body };
}

/** Byte length of `text` in UTF-8 (a lone surrogate becomes U+FFFD, 3 bytes), on any runtime. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(index + 1))) {
      bytes += 4;
      index += 1;
    } else bytes += 3;
  }
  return bytes;
}

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

function readHeader(headers: HeaderSource | undefined, name: string): string {
  if (!headers) return '';
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const value = (headers as { get(name: string): string | null | undefined }).get(name);
    return typeof value === 'string' ? value : '';
  }
  const record = headers as Record<string, string | readonly string[] | undefined>;
  // Node lower-cases header names; a hand-built object may not.
  const value = record[name] ?? record[Object.keys(record).find((key) => key.toLowerCase() === name) ?? name];
  if (Array.isArray(value)) return value.filter((item) => typeof item === 'string').join(',');
  return typeof value === 'string' ? value : '';
}

/** How well the client accepts one of our formats: the most specific matching range of Accept. */
interface Acceptance {
  quality: number;
  /** 2 for `type/subtype`, 1 for `type/*`, 0 for `*\/*`, -1 when nothing matched. */
  specificity: number;
  /** Position of the matching range in the header; earlier wins a tie. */
  position: number;
}

const NOT_ACCEPTED: Acceptance = { quality: 0, specificity: -1, position: Number.MAX_SAFE_INTEGER };

/**
 * True when the client prefers JSON to text (RFC 9110 §12.5.1): the format with the higher
 * q-value wins, each format weighed by the most specific media range that matches it; a tie
 * goes to the more specific match, then to the one listed first. Text is the default: for no
 * Accept header, an unparsable one, one that accepts neither, or one longer than 1 KB.
 */
export function acceptsHealthJson(accept: string): boolean {
  if (accept === '' || accept.length > MAX_ACCEPT_LENGTH) return false;
  const ranges = parseAccept(accept);
  const text = acceptance(ranges, 'text', 'plain');
  const health = acceptance(ranges, 'application', 'health+json');
  const plainJson = acceptance(ranges, 'application', 'json');
  const json = better(health, plainJson) ? health : plainJson;
  return json.quality > 0 && better(json, text);
}

interface MediaRange {
  type: string;
  subtype: string;
  quality: number;
}

function parseAccept(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const entry of accept.split(',')) {
    const [mediaType = '', ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    const slash = mediaType.indexOf('/');
    if (slash <= 0 || slash === mediaType.length - 1) continue;
    const qualityParam = params.find((param) => param.startsWith('q='));
    const quality = qualityParam === undefined ? 1 : parseQuality(qualityParam.slice(2));
    if (quality === undefined) continue;
    ranges.push({ type: mediaType.slice(0, slash), subtype: mediaType.slice(slash + 1), quality });
  }
  return ranges;
}

/** A qvalue (`0`, `0.5`, `1.000`); undefined when it is not one. */
function parseQuality(text: string): number | undefined {
  if (!/^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(text)) return undefined;
  return Number(text);
}

function acceptance(ranges: readonly MediaRange[], type: string, subtype: string): Acceptance {
  let found = NOT_ACCEPTED;
  ranges.forEach((range, position) => {
    const specificity =
      range.type === type && range.subtype === subtype
        ? 2
        : range.type === type && range.subtype === '*'
          ? 1
          : range.type === '*' && range.subtype === '*'
            ? 0
            : -1;
    if (specificity > found.specificity) found = { quality: range.quality, specificity, position };
  });
  return found;
}

/** True when `a` beats `b`: higher quality, then more specific, then earlier. */
function better(a: Acceptance, b: Acceptance): boolean {
  if (a.quality !== b.quality) return a.quality > b.quality;
  if (a.specificity !== b.specificity) return a.specificity > b.specificity;
  return a.position < b.position;
}
