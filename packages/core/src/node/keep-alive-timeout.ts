import { type KeepAliveSetting, keepAliveFor } from '../keep-alive.js';
import type { Logger } from '../logger.js';
import type { AttachableServer } from './server-kind.js';

/**
 * Sets `server.keepAliveTimeout` from the drain settings (see `keepAliveFor`): on an HTTP/1
 * server, and on an HTTP/2 server, where Node reads it only for the HTTP/1 sockets of
 * `allowHTTP1`. `headersTimeout` is left alone: since Node 18 it runs only while a request's
 * headers are arriving, not while a kept-alive socket waits for the next one, so a short one
 * does not cut idle connections. Says so when a server's own longer timeout is kept.
 */
export function applyKeepAliveTimeout(
  server: AttachableServer,
  configured: KeepAliveSetting,
  logger: Logger,
): KeepAliveSetting {
  const target = server as { keepAliveTimeout?: number };
  const applied = keepAliveFor(configured, target.keepAliveTimeout);
  target.keepAliveTimeout = applied.keepAliveTimeoutMs;
  if (applied.source === 'server') {
    const kept =
      applied.keepAliveTimeoutMs === 0
        ? '0 (never closes idle connections)'
        : `${applied.keepAliveTimeoutMs} ms`;
    logger.info(
      `keep-alive timeout ${kept}: the server's own (the framework's), kept because it is longer than lameduck's default ${configured.keepAliveTimeoutMs} ms`,
    );
  }
  return applied;
}
