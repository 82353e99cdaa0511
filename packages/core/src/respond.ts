import type { CheckKind } from './checks.js';
import { formatJson, formatText } from './format.js';
import type { ProbePaths } from './paths.js';
import type { ProbeQuery, ProbeReport } from './probe.js';
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
  knownCheck(kind: CheckKind, name: string): boolean;
  evaluate(kind: CheckKind, query: ProbeQuery): Promise<ProbeReport>;
}

/** Longer paths or queries are not something a probe sends; refuse them before parsing. */
export const MAX_PROBE_PATH_LENGTH = 1024;
export const MAX_PROBE_QUERY_LENGTH = 2048;

const ALLOW = 'GET, HEAD';
const TEXT = 'text/plain; charset=utf-8';

/**
 * Answers a probe request, or returns `undefined` at once (synchronously) when the path is not a
 * probe path, so a middleware can pass the request on without waiting. Never throws and never
 * rejects: hostile input gets a 4xx, a failing check gets a 503.
 */
export function respondToProbe(
  context: ResponderContext,
  request: ProbeRequest,
): Promise<ProbeResponse> | undefined {
  if (request === null || typeof request !== 'object') return undefined;
  // Every request of the app passes through here: reject non-probe paths before allocating.
  if (typeof request.path !== 'string' || !mayBeProbe(context.bases, request.path)) return undefined;
  const { path: rawPath, query } = splitTarget(request);
  const match = matchProbePath(context.paths, rawPath);
  if (match === undefined) return undefined;
  return answer(context, request, match, query).catch(
    // Belt and braces: evaluate() does not reject, but a responder must never break the app.
    () => plain(500, 'internal error while answering the probe\n', request.method),
  );
}

/**
 * True when `target` (a raw path, with or without its query) is a probe path or under one: the
 * only work a non-probe request pays, with no allocation. `matchProbePath` decides the rest.
 */
export function mayBeProbe(bases: readonly string[], target: string): boolean {
  for (const base of bases) {
    if (target.startsWith(base)) {
      const next = target.charCodeAt(base.length);
      // end of string, '/' or '?'
      if (Number.isNaN(next) || next === 47 || next === 63) return true;
    }
  }
  return false;
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
  request: ProbeRequest,
  match: PathMatch,
  rawQuery: string,
): Promise<ProbeResponse> {
  const method = request.method;
  if (method !== 'GET' && method !== 'HEAD') {
    const response = plain(
      405,
      `method ${sanitise(method, 20)} not allowed; probes answer GET and HEAD\n`,
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

  const params = new URLSearchParams(rawQuery);
  const format = params.get('format');
  if (format !== null && format !== 'json' && format !== 'text') {
    return plain(400, 'unknown format; use ?format=json or ?format=text\n', method);
  }
  const json =
    format === 'json' || (format === null && acceptsHealthJson(readHeader(request.headers, 'accept')));
  const verbose = params.has('verbose');
  const exclude = params.getAll('exclude').filter((name) => name !== '');

  const report = await context.evaluate(match.kind, only === undefined ? { exclude } : { only });
  const status = report.status === 'fail' ? 503 : 200;
  const body = json
    ? formatJson(report, context.exposeDetails)
    : formatText(report, { verbose, exposeDetails: context.exposeDetails });
  return {
    status,
    headers: {
      'Content-Type': json ? 'application/health+json' : TEXT,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
    body: method === 'HEAD' ? '' : body,
  };
}

function plain(status: number, body: string, method: string): ProbeResponse {
  return {
    status,
    headers: { 'Content-Type': TEXT, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
    body: method === 'HEAD' ? '' : body,
  };
}

function splitTarget(request: ProbeRequest): { path: string; query: string } {
  const path = typeof request.path === 'string' ? request.path : '';
  const mark = path.indexOf('?');
  const pathOnly = mark === -1 ? path : path.slice(0, mark);
  const fromPath = mark === -1 ? '' : path.slice(mark + 1);
  const query = typeof request.query === 'string' && request.query !== '' ? request.query : fromPath;
  return { path: pathOnly, query: query.startsWith('?') ? query.slice(1) : query };
}

function readHeader(headers: HeaderSource | undefined, name: string): string {
  if (!headers) return '';
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null | undefined }).get(name) ?? '';
  }
  const record = headers as Record<string, string | readonly string[] | undefined>;
  // Node lower-cases header names; a hand-built object may not.
  const value = record[name] ?? record[Object.keys(record).find((key) => key.toLowerCase() === name) ?? name];
  if (Array.isArray(value)) return value.join(',');
  return typeof value === 'string' ? value : '';
}

/**
 * True when the client asks for JSON: `application/health+json` or `application/json` with a
 * non-zero quality. Anything unparsable falls back to text, never to an error.
 */
export function acceptsHealthJson(accept: string): boolean {
  if (accept.length > 1024) return false;
  return accept.split(',').some((entry) => {
    const [type = '', ...params] = entry.split(';').map((part) => part.trim().toLowerCase());
    if (type !== 'application/health+json' && type !== 'application/json') return false;
    const quality = params.find((param) => param.startsWith('q='));
    return quality === undefined || Number(quality.slice(2)) > 0;
  });
}
