import { type Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { ClientHttp2Session } from 'node:http2';

export interface SimpleResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** A keep-alive agent, or `false` for a connection of its own; Node's global agent if unset. */
  agent?: Agent | false;
  /** Sent as is, instead of the URL's own path (which URL parsing would normalise). */
  path?: string;
  /** Gives up after this long without a byte; 0 waits forever. */
  timeoutMs?: number;
}

/**
 * One HTTP/1.1 request with Node's own client, so tests control the agent (keep-alive or not)
 * and see raw headers such as `connection`. Rejects with the socket error (its `code` intact).
 */
export function request(url: string, options: RequestOptions = {}): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent,
        ...(options.path === undefined ? {} : { path: options.path }),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    const timeoutMs = options.timeoutMs ?? 15_000;
    if (timeoutMs > 0) outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error('client timeout')));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** One request on an HTTP/2 session; resolves with the status and the body once the stream ends. */
export function requestHttp2(
  session: ClientHttp2Session,
  path: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':path': path });
    let status = 0;
    let body = '';
    stream.on('response', (headers) => {
      status = Number(headers[':status']);
    });
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      body += chunk;
    });
    stream.on('end', () => resolve({ status, body }));
    stream.on('error', reject);
  });
}
