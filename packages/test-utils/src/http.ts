import { type Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

export interface SimpleResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * One HTTP/1.1 request with Node's own client, so tests control the agent (keep-alive or not)
 * and see raw headers such as `connection`. Rejects with the socket error (its `code` intact).
 */
export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; agent?: Agent; timeoutMs?: number } = {},
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: options.agent },
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
    outgoing.setTimeout(options.timeoutMs ?? 15_000, () => outgoing.destroy(new Error('client timeout')));
    outgoing.on('error', reject);
    outgoing.end();
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
