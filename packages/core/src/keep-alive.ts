import { describeValue } from './describe.js';
import { LameduckConfigError } from './errors.js';

/**
 * How long an idle HTTP/1 keep-alive connection stays open. Above the idle timeouts of the
 * proxies in front of a pod (ingress-nginx and AWS ALB keep upstream connections 60 s), so the
 * pod is never the side that closes a pooled connection just as the proxy writes the next
 * request on it. Node's own default is 5000 ms (still so in Node 26.10).
 */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** The shortest timeout besides 0: anything shorter is a unit mistake (seconds given as ms). */
export const MIN_KEEP_ALIVE_TIMEOUT_MS = 1_000;

/**
 * The longest: Node arms the socket's timer 1 s past the timeout (the `Keep-Alive: timeout=`
 * hint's slack), and a timer above 2^31−1 ms is truncated with a TimeoutOverflowWarning.
 */
export const MAX_KEEP_ALIVE_TIMEOUT_MS = 2 ** 31 - 1 - 1_000;

/** Where the keep-alive timeout applied to a server came from. */
export type KeepAliveSource = 'environment' | 'option' | 'default' | 'server';

export interface KeepAliveSetting {
  readonly keepAliveTimeoutMs: number;
  /** 'server': the server's own value (a framework's, Fastify's 72 s), kept because it is longer. */
  readonly source: KeepAliveSource;
}

/**
 * Validates a keep-alive timeout: 0 (Node's "never close an idle connection") or
 * 1000..2147482647 ms. `name` is the option or the variable the value came from.
 */
export function keepAliveTimeoutOption(name: string, value: unknown): number {
  const range = `0 (never close idle connections) or ${MIN_KEEP_ALIVE_TIMEOUT_MS} to ${MAX_KEEP_ALIVE_TIMEOUT_MS} ms`;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new LameduckConfigError(
      `${name} must be a whole number of milliseconds, ${range}, got ${describeValue(value)}; for example ${name}: ${DEFAULT_KEEP_ALIVE_TIMEOUT_MS}`,
    );
  }
  if (value !== 0 && (value < MIN_KEEP_ALIVE_TIMEOUT_MS || value > MAX_KEEP_ALIVE_TIMEOUT_MS)) {
    throw new LameduckConfigError(
      `${name} must be ${range}, got ${value}; set it above the idle timeout of the proxy in front (${DEFAULT_KEEP_ALIVE_TIMEOUT_MS} is above ingress-nginx's and AWS ALB's 60 s)`,
    );
  }
  return value;
}

/**
 * What a server gets. A timeout the deployment or the code set is applied as it is. lameduck's
 * default only raises: a server whose own timeout is longer (Fastify's 72 s) or 0 (never) keeps
 * it. `current` is the server's `keepAliveTimeout`: undefined on Node 20's HTTP/2 servers that
 * allow HTTP/1, whose HTTP/1 sockets then never time out; they get the configured one.
 */
export function keepAliveFor(configured: KeepAliveSetting, current: number | undefined): KeepAliveSetting {
  if (configured.source !== 'default' || typeof current !== 'number') return configured;
  if (current === 0 || current > configured.keepAliveTimeoutMs) {
    return { keepAliveTimeoutMs: current, source: 'server' };
  }
  return configured;
}
