import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { describeValue } from '../describe.js';
import { LameduckConfigError } from '../errors.js';
import { internalsOf } from '../internals.js';
import type { Lifecycle } from '../kit.js';

/**
 * The adapter kit's Node half: answers a probe on Node's own request and response (a plain
 * `node:http` or `node:http2` server, or the `req`/`res` under Express, Koa, Fastify or Nest).
 * Returns false at once when the target is not a probe path, so the caller serves the request:
 * `if (respondToNode(lameduck, req, res)) return;`
 */
export function respondToNode(
  lifecycle: Lifecycle,
  request: IncomingMessage | Http2ServerRequest,
  response: ServerResponse | Http2ServerResponse,
): boolean {
  const model = internalsOf(lifecycle);
  if (model === undefined) {
    throw new LameduckConfigError(
      `respondToNode() needs the lifecycle that createLameduck() returns as its first argument, got ${describeValue(lifecycle)}`,
    );
  }
  // Read only the URL first: this runs for every request, and framework request objects
  // (Express's) make every property read cost something.
  const url = request.url ?? '/';
  if (!model.isProbePath(url)) return false;
  const method = request.method ?? 'GET';
  // A probe storm's common case: the answer was kept, so it is written at once, no promise.
  const kept = model.cachedAnswer(method, url, acceptOf(request.rawHeaders));
  if (kept !== undefined) {
    // HTTP/2's compatibility response takes an object; HTTP/1's takes the flat list as is.
    if ('stream' in response) response.writeHead(kept.status, kept.headers).end(kept.body);
    else (response as ServerResponse).writeHead(kept.status, kept.headerList as string[]).end(kept.body);
    return true;
  }
  const answer = model.respond({ method, path: url, headers: request.headers });
  if (answer === undefined) return false;
  void answer.then(({ status, headers, body }) => {
    // The client may have gone while a check ran.
    if (response.headersSent || response.destroyed) return;
    (response as ServerResponse).writeHead(status, headers).end(body);
  });
  return true;
}

/**
 * The Accept header as Node's `request.headers.accept` gives it (repeats joined with ", "), read
 * from the raw list: `request.headers` is built on first read, an object per request that a
 * kept answer does not need.
 */
export function acceptOf(rawHeaders: readonly string[]): string | undefined {
  let accept: string | undefined;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] as string;
    if (name.length === 6 && name.toLowerCase() === 'accept') {
      const value = rawHeaders[index + 1] ?? '';
      accept = accept === undefined ? value : `${accept}, ${value}`;
    }
  }
  return accept;
}
