import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseSlowMs, SLOW_USAGE } from 'demo-kit';

/**
 * The demo's own routes (the demo contract in lameduck-test-utils): `GET /` answers at once, `GET /slow?ms=N` after N ms, for
 * drain tests. Probes are answered before this is called.
 */
export function handleRequest(request: IncomingMessage, response: ServerResponse): void {
  const url = parseTarget(request.url ?? '/');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    text(response, 405, 'only GET and HEAD\n', { Allow: 'GET, HEAD' });
  } else if (url.pathname === '/') {
    text(response, 200, 'hello from node-demo\n');
  } else if (url.pathname === '/slow') {
    slow(url.searchParams.get('ms') ?? '', response);
  } else {
    text(response, 404, 'not found\n');
  }
}

/**
 * The path and query of a request target, exactly as sent. Not `new URL(target, base)`: that
 * reads `//readyz` as a URL with host "readyz" and path "/", so the home page would answer it.
 */
export function parseTarget(target: string): { pathname: string; searchParams: URLSearchParams } {
  if (!target.startsWith('/')) {
    // Absolute form (`GET http://host/slow?ms=5`, RFC 9112 §3.2.2); anything else matches no route.
    try {
      const { pathname, searchParams } = new URL(target);
      return { pathname, searchParams };
    } catch {
      return { pathname: '', searchParams: new URLSearchParams() };
    }
  }
  const mark = target.indexOf('?');
  return {
    pathname: mark === -1 ? target : target.slice(0, mark),
    searchParams: new URLSearchParams(mark === -1 ? '' : target.slice(mark + 1)),
  };
}

function slow(raw: string, response: ServerResponse): void {
  const ms = parseSlowMs(raw);
  if (ms === undefined) {
    text(response, 400, SLOW_USAGE);
    return;
  }
  const timer = setTimeout(() => text(response, 200, `slept ${ms} ms\n`), ms);
  // A client that gives up should not leave a timer behind.
  response.once('close', () => clearTimeout(timer));
}

function text(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end(body);
}
