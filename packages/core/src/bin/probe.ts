#!/usr/bin/env node
// lameduck-probe: an exec probe for images with no shell, curl, wget or cat (distroless).
// It needs nothing but node, which such an image already has, and imports nothing but node:http,
// node:https, node:util and one helper of core's model (bundled into this file). Exit codes follow what the kubelet expects of an exec probe: 0 healthy,
// 1 unhealthy (with one line saying why), 2 for a mistake in the probe command itself.
import { type ClientRequest, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseArgs } from 'node:util';
import { withoutUserinfo } from '../userinfo.js';

const NAME = 'lameduck-probe';
const USAGE = `usage: ${NAME} <url> [--timeout <ms>]`;
const DEFAULT_TIMEOUT_MS = 1000;
const MAX_TIMEOUT_MS = 3_600_000;

const HELP = `${USAGE}

Sends GET <url> and exits 0 when the answer is 2xx (or a 3xx without a Location), 1 on anything
else (4xx/5xx, connection refused, DNS failure, no answer within the timeout, more than 10
redirects), 2 when the command is wrong.
For Kubernetes exec probes in images without a shell or curl, for example:

  livenessProbe:
    exec:
      command: [/nodejs/bin/node, /app/node_modules/@lameduck/core/dist/bin/probe.js,
                http://127.0.0.1:8080/livez]

Options:
  --timeout <ms>  give up after this many milliseconds (default ${DEFAULT_TIMEOUT_MS}); keep it
                  below the probe's timeoutSeconds
  -h, --help      show this help

Like the kubelet's own httpGet probe, HTTPS certificates are not verified, and a redirect to the
same host name is followed (up to 10; the last answer decides: 302 to /broken, then 500, is
unhealthy); a redirect to another host is not followed and counts as success, with a warning
line. A user:password in the URL is sent as Basic auth and never printed.`;

const EXIT_HEALTHY = 0;
const EXIT_UNHEALTHY = 1;
const EXIT_USAGE = 2;

interface ProbeCommand {
  url: URL;
  timeoutMs: number;
}

class UsageError extends Error {}

const OPTIONS = {
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseArguments(args: readonly string[]): ProbeCommand | 'help' {
  const { values, positionals, tokens } = parseArgs({
    args: [...args],
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  // Not strict: node's own messages would be several lines; each mistake is one line here.
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (!Object.hasOwn(OPTIONS, token.name)) throw new UsageError(`unknown option ${args[token.index]}`);
    if (token.name === 'help' && token.value !== undefined)
      throw new UsageError(`${token.rawName} takes no value`);
    if (
      token.name === 'timeout' &&
      (token.value === undefined || (!token.inlineValue && token.value.startsWith('--')))
    )
      throw new UsageError('--timeout needs a value in milliseconds');
  }
  if (values.help) return 'help';
  const [target, second] = positionals;
  if (second !== undefined)
    throw new UsageError(
      `expected one url, got a second argument ${JSON.stringify(withoutUserinfo(second))}`,
    );
  if (target === undefined) throw new UsageError('missing url');
  const timeout = values.timeout;
  return {
    url: parseUrl(target),
    timeoutMs: parseTimeout(typeof timeout === 'string' ? timeout : undefined),
  };
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(
      `${JSON.stringify(withoutUserinfo(text))} is not a URL; for example http://127.0.0.1:8080/livez`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${JSON.stringify(withoutUserinfo(text))} is not an http:// or https:// URL`);
  }
  return url;
}

function parseTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_MS;
  const timeoutMs = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new UsageError(
      `--timeout must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${JSON.stringify(text)}`,
    );
  }
  return timeoutMs;
}

/** The kubelet's httpGet probe follows at most this many redirects (Go's default, kept by its checker). */
const MAX_REDIRECTS = 10;

/**
 * Resolves with the exit code and the line to print; never rejects, never outlives timeoutMs.
 * Redirects are followed as the kubelet's httpGet probe follows them: to the same host name
 * (another port or path included) up to 10 times, and the last answer decides; a redirect to
 * another host is not followed and counts as success, with a warning line.
 */
function probe({ url, timeoutMs }: ProbeCommand): Promise<{ code: number; line?: string }> {
  return new Promise((resolve) => {
    let settled = false;
    let request: ClientRequest | undefined;
    const finish = (code: number, line?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      request?.destroy();
      resolve(line === undefined ? { code } : { code, line: `${NAME}: ${line}` });
    };
    // What the probe prints: Node sends a URL's user:password as Basic auth, but it stays out of the kubelet's events.
    const shown = (target: URL | string) =>
      withoutUserinfo(typeof target === 'string' ? target : target.href);
    // One deadline for everything (DNS, connect, TLS, every redirect, the status line): the
    // kubelet kills a probe that runs past timeoutSeconds, and a killed probe says nothing about why.
    const deadline = setTimeout(
      () => finish(EXIT_UNHEALTHY, `${shown(url)}: no answer within ${timeoutMs} ms`),
      timeoutMs,
    );
    const get = (target: URL, redirects: number) => {
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const via =
        redirects === 0
          ? ''
          : ` (after ${redirects} redirect${redirects === 1 ? '' : 's'} from ${shown(url)})`;
      request = send(target, {
        method: 'GET',
        agent: false,
        // The kubelet's own HTTPS probes do not verify certificates either: the probe talks to its
        // own pod, usually by IP, which no certificate names.
        rejectUnauthorized: false,
        headers: { 'user-agent': NAME, accept: '*/*', connection: 'close' },
      });
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        response.resume();
        const location = response.headers.location;
        if (status >= 300 && status < 400 && location !== undefined) {
          let next: URL;
          try {
            next = new URL(location, target);
          } catch {
            return finish(
              EXIT_UNHEALTHY,
              `${shown(target)} answered ${status} with a Location that is not a URL: ${JSON.stringify(shown(location))}${via}`,
            );
          }
          if (next.hostname !== url.hostname) {
            // The kubelet stops here and reports success, with a warning in the pod's events.
            return finish(
              EXIT_HEALTHY,
              `warning: ${shown(target)} answered ${status} to another host (${shown(next)}), not followed (the kubelet counts this as success)${via}`,
            );
          }
          if (next.protocol !== 'http:' && next.protocol !== 'https:')
            return finish(
              EXIT_UNHEALTHY,
              `${shown(target)} redirected to ${shown(next)}, not http or https${via}`,
            );
          if (redirects >= MAX_REDIRECTS)
            return finish(
              EXIT_UNHEALTHY,
              `${shown(url)}: stopped after ${MAX_REDIRECTS} redirects (the last to ${shown(next)})`,
            );
          request?.destroy();
          return get(next, redirects + 1);
        }
        if (status >= 200 && status < 400) finish(EXIT_HEALTHY);
        else finish(EXIT_UNHEALTHY, `${shown(target)} answered ${status}${via}`);
      });
      request.on('error', (error: NodeJS.ErrnoException) =>
        finish(EXIT_UNHEALTHY, `${shown(target)}: ${describeError(error)}${via}`),
      );
      request.end();
    };
    get(url, 0);
  });
}

function describeError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ECONNRESET':
      return 'connection reset by the server (ECONNRESET)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `could not resolve the host name (${error.code})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `host unreachable (${error.code})`;
    default:
      return error.code ? `${firstLine(error.message)} (${error.code})` : firstLine(error.message);
  }
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

function exit(code: number, line?: string): never {
  if (line !== undefined) (code === EXIT_HEALTHY ? process.stdout : process.stderr).write(`${line}\n`);
  process.exit(code);
}

async function main(args: readonly string[]): Promise<never> {
  let command: ProbeCommand | 'help';
  try {
    command = parseArguments(args);
  } catch (error) {
    if (error instanceof UsageError) exit(EXIT_USAGE, `${NAME}: ${error.message}\n${USAGE}`);
    throw error;
  }
  if (command === 'help') exit(EXIT_HEALTHY, HELP);
  const { code, line } = await probe(command);
  exit(code, line);
}

// A bug in this file must still end as one line and exit 1 (unhealthy), never a stack trace.
main(process.argv.slice(2)).catch((error: unknown) => {
  exit(
    EXIT_UNHEALTHY,
    `${NAME}: unexpected error: ${error instanceof Error ? firstLine(error.message) : String(error)}`,
  );
});
