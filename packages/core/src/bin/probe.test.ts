import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Runs the built bin, as the kubelet would, against real servers on loopback.
const probeBin = fileURLToPath(new URL('../../dist/bin/probe.js', import.meta.url));
const USAGE = 'usage: lameduck-probe <url> [--timeout <ms>]';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

function runProbe(args: string[]): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [probeBin, ...args], { timeout: 20_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr, elapsedMs: performance.now() - started });
    });
  });
}

function listen(server: NetServer): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });
}

let base: string;
let tlsBase: string;
let silentBase: string;
let closedBase: string;
const server = createServer((request, response) => {
  const path = request.url ?? '/';
  const port = (server.address() as AddressInfo).port;
  // /hops/N redirects N more times, then answers 200.
  const hops = /^\/hops\/(\d+)$/.exec(path);
  const redirects: Record<string, string> = {
    '/302': '/200',
    '/livez': '/broken',
    '/broken': '/500',
    '/other-host': `http://localhost:${port}/500`,
    '/with-secret': `http://bob:s3cret@127.0.0.1:${port}/503`,
  };
  const location = hops
    ? Number(hops[1]) === 0
      ? undefined
      : `/hops/${Number(hops[1]) - 1}`
    : redirects[path];
  if (location !== undefined) return response.writeHead(302, { location }).end();
  const status = hops ? 200 : Number(path.slice(1));
  response.writeHead(status).end(`${status}\n`);
});
// A self-signed certificate for localhost, as a pod's own HTTPS port often has.
const tlsDir = new URL('../../test/fixtures/tls/', import.meta.url);
const tlsServer = createTlsServer(
  {
    cert: readFileSync(new URL('localhost-cert.pem', tlsDir)),
    key: readFileSync(new URL('localhost-key.pem', tlsDir)),
  },
  (request, response) => response.writeHead(Number(request.url?.slice(1))).end(),
);
// Accepts connections and never answers: the probe must give up at its own deadline.
const silent = createServer(() => {});

beforeAll(async () => {
  base = await listen(server);
  tlsBase = (await listen(tlsServer)).replace('http:', 'https:');
  silentBase = await listen(silent);
  const closed = createServer();
  closedBase = await listen(closed);
  await new Promise((resolve) => closed.close(resolve));
});

afterAll(async () => {
  silent.closeAllConnections();
  await Promise.all([server, tlsServer, silent].map((s) => new Promise((resolve) => s.close(resolve))));
});

describe('lameduck-probe', () => {
  it.each([200, 204, 302])('exits 0 silently when the server answers %i', async (status) => {
    const run = await runProbe([`${base}/${status}`]);
    expect(run).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it.each([404, 500, 503])('exits 1 with one line when the server answers %i', async (status) => {
    const run = await runProbe([`${base}/${status}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`lameduck-probe: ${base}/${status} answered ${status}\n`);
  });

  it('follows a same-host redirect as the kubelet does: 302 to /broken, then 500, is unhealthy', async () => {
    const run = await runProbe([`${base}/livez`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `lameduck-probe: ${base}/500 answered 500 (after 2 redirects from ${base}/livez)\n`,
    );
  });

  it('follows up to 10 redirects and fails on the 11th', async () => {
    expect(await runProbe([`${base}/hops/10`])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const run = await runProbe([`${base}/hops/11`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `lameduck-probe: ${base}/hops/11: stopped after 10 redirects (the last to ${base}/hops/0)\n`,
    );
  });

  it('does not follow a redirect to another host: success, with a warning line', async () => {
    const run = await runProbe([`${base}/other-host`]);
    expect(run.code).toBe(0);
    const other = `${base.replace('127.0.0.1', 'localhost')}/500`;
    expect(run.stdout).toBe(
      `lameduck-probe: warning: ${base}/other-host answered 302 to another host (${other}), not followed (the kubelet counts this as success)\n`,
    );
  });

  it('never prints the userinfo of a redirect target either', async () => {
    const run = await runProbe([`${base}/with-secret`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `lameduck-probe: ${base.replace('http://', 'http://***@')}/503 answered 503 (after 1 redirect from ${base}/with-secret)\n`,
    );
    expect(run.stderr).not.toMatch(/bob|s3cret/);
  });

  it('probes HTTPS without verifying the certificate, as the kubelet does', async () => {
    expect((await runProbe([`${tlsBase}/200`])).code).toBe(0);
    const failing = await runProbe([`${tlsBase}/503`]);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toBe(`lameduck-probe: ${tlsBase}/503 answered 503\n`);
  });

  it('exits 1 at the timeout when the server never answers', async () => {
    const run = await runProbe([`${silentBase}/readyz`, '--timeout', '300']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`lameduck-probe: ${silentBase}/readyz: no answer within 300 ms\n`);
    // The message proves the probe's own deadline fired (without it, this server would hold it
    // until execFile's 20 s kill); the elapsed time includes starting node, so its bound is loose.
    expect(run.elapsedMs).toBeGreaterThanOrEqual(300);
    expect(run.elapsedMs).toBeLessThan(10_000);
  });

  it('uses a 1000 ms timeout by default', async () => {
    const run = await runProbe([`${silentBase}/livez`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`lameduck-probe: ${silentBase}/livez: no answer within 1000 ms\n`);
    expect(run.elapsedMs).toBeGreaterThanOrEqual(1000);
    expect(run.elapsedMs).toBeLessThan(10_000);
  });

  it('accepts --timeout=<ms> before the url', async () => {
    const run = await runProbe(['--timeout=200', `${silentBase}/readyz`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no answer within 200 ms');
  });

  it('exits 1 when the connection is refused', async () => {
    const run = await runProbe([`${closedBase}/readyz`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`lameduck-probe: ${closedBase}/readyz: connection refused (ECONNREFUSED)\n`);
  });

  it('never prints the userinfo of the url: answered 503, refused, or not http(s)', async () => {
    const withSecret = (url: string) => url.replace('http://', 'http://alice:hunter2@');
    const answered = await runProbe([`${withSecret(base)}/503`]);
    expect(answered.code).toBe(1);
    expect(answered.stderr).toBe(
      `lameduck-probe: ${base.replace('http://', 'http://***@')}/503 answered 503\n`,
    );
    const refused = await runProbe([`${withSecret(closedBase)}/readyz`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `lameduck-probe: ${closedBase.replace('http://', 'http://***@')}/readyz: connection refused (ECONNREFUSED)\n`,
    );
    const usage = await runProbe(['ftp://alice:hunter2@127.0.0.1/livez']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('ftp://***@127.0.0.1/livez');
    for (const run of [answered, refused, usage]) expect(run.stderr).not.toMatch(/alice|hunter2/);
  });

  it('exits 1 when the host name does not resolve', async () => {
    const run = await runProbe(['http://lameduck-probe-test.invalid/readyz', '--timeout', '3000']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^lameduck-probe: http:\/\/lameduck-probe-test\.invalid\/readyz: .+\n$/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    [[], 'missing url'],
    [['ftp://127.0.0.1/readyz'], '"ftp://127.0.0.1/readyz" is not an http:// or https:// URL'],
    [
      ['127.0.0.1:8080/readyz'],
      '"127.0.0.1:8080/readyz" is not a URL; for example http://127.0.0.1:8080/livez',
    ],
    [['http://127.0.0.1/', '--timeout'], '--timeout needs a value in milliseconds'],
    [
      ['http://127.0.0.1/', '--timeout', 'soon'],
      '--timeout must be a whole number of milliseconds from 1 to 3600000, got "soon"',
    ],
    [
      ['http://127.0.0.1/', '--timeout', '0'],
      '--timeout must be a whole number of milliseconds from 1 to 3600000, got "0"',
    ],
    [
      ['http://127.0.0.1/', '--timeout=1.5'],
      '--timeout must be a whole number of milliseconds from 1 to 3600000, got "1.5"',
    ],
    [['http://127.0.0.1/', '--verbose'], 'unknown option --verbose'],
    [['http://127.0.0.1/', '-x'], 'unknown option -x'],
    [['http://127.0.0.1/', '--help=yes'], '--help takes no value'],
    [['--timeout', '--help', 'http://127.0.0.1/'], '--timeout needs a value in milliseconds'],
    [
      ['http://127.0.0.1/a', 'http://127.0.0.1/b'],
      'expected one url, got a second argument "http://127.0.0.1/b"',
    ],
  ])('exits 2 on bad usage %j', async (args, message) => {
    const run = await runProbe(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`lameduck-probe: ${message}\n${USAGE}\n`);
  });

  it('prints help with --help and exits 0', async () => {
    const run = await runProbe(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(USAGE);
  });
});
