import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LameduckConfigError } from './errors.js';
import { httpCheck } from './http-check.js';

describe('httpCheck', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  async function upstream(status: number, delayMs = 0): Promise<string> {
    server = createServer((_request, response) => {
      setTimeout(() => response.writeHead(status).end('x'), delayMs);
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  }

  it('passes on 2xx and returns details', async () => {
    const check = httpCheck(await upstream(204));
    expect(await check(new AbortController().signal)).toMatchObject({ status: 204 });
  });

  it('fails on 503 and on a redirect, naming the host and status', async () => {
    await expect(httpCheck(await upstream(503))(new AbortController().signal)).rejects.toThrow(
      /answered 503$/,
    );
    server?.close();
    await expect(httpCheck(await upstream(302))(new AbortController().signal)).rejects.toThrow(
      /answered 302$/,
    );
  });

  it('stops the request when its signal aborts', async () => {
    const check = httpCheck(await upstream(200, 5_000));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const startedAt = Date.now();
    await expect(check(controller.signal)).rejects.toThrow();
    expect(Date.now() - startedAt).toBeLessThan(2_000);
  });

  it('names the cause of a failed connection, not just "fetch failed"', async () => {
    const url = await upstream(200);
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    const port = new URL(url).port;
    await expect(httpCheck(url)(new AbortController().signal)).rejects.toThrow(
      new RegExp(`^GET 127\\.0\\.0\\.1:${port}/health failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`),
    );
  });

  it('says the request was given up when its signal aborts', async () => {
    const check = httpCheck(await upstream(200, 5_000));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(check(controller.signal)).rejects.toThrow(
      /failed: no answer before the check was given up \(its timeout\)$/,
    );
  });

  it('refuses a URL that is not absolute http(s) at creation', () => {
    expect(() => httpCheck('/health')).toThrow(/absolute http\(s\) URL/);
    expect(() => httpCheck('ftp://example.com/')).toThrow(/http\(s\) URL/);
  });

  it('refuses credentials in the URL at creation, naming the fix, without echoing them', () => {
    for (const url of [
      'http://alice:hunter2@127.0.0.1:9/health',
      'https://tok3n@upstream.internal/health',
      new URL('http://alice:hunter2@127.0.0.1:9/health'),
    ]) {
      let thrown: unknown;
      try {
        httpCheck(url);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(LameduckConfigError);
      const message = (thrown as Error).message;
      expect(message).toMatch(
        /^httpCheck URL ".*\*\*\*@.*" has credentials in it \(user:password@\): fetch refuses such a URL, so the check would fail on every run; pass them as a header: httpCheck\('https:\/\/host\/health', \{ headers: \{ authorization: 'Basic …' \} \}\)$/,
      );
      expect(message).not.toMatch(/alice|hunter2|tok3n/);
    }
  });

  it('never echoes userinfo in its other registration errors', () => {
    for (const url of ['ftp://user:s3cret@example.com/', 'user:s3cret@db.internal:5432/health']) {
      expect(() => httpCheck(url)).toThrow(LameduckConfigError);
      expect(() => httpCheck(url)).not.toThrow(/s3cret/);
    }
  });
});
