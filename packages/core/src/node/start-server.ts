import type { AddressInfo } from 'node:net';
import { describeValue } from '../describe.js';
import { LameduckConfigError } from '../index.js';
import { afterShutdownError } from './after-shutdown.js';
import type { NodeLameduck } from './node-lameduck.js';
import type { AttachableServer } from './server-kind.js';

export interface ListenOptions {
  /** Default: the `PORT` environment variable, else 8080. 0 picks a free port. */
  port?: number;
  /** Default: all interfaces (Node's default). */
  host?: string;
}

export const DEFAULT_PORT = 8080;

/**
 * Anything that listens as Node's `server.listen(port, host, callback)` does and returns its
 * server: an Express or Koa app as it is, or a few lines around another framework's listen.
 */
export interface Listenable<S extends AttachableServer> {
  listen(port: number, host: string | undefined, onListening: () => void): S;
}

/**
 * Starts an app's server and attaches it to the drain engine in one step: the glue every
 * adapter's `listen()` shares. Attaching right after `app.listen` returns is safe: no connection
 * event can fire before the event loop turns. Resolves once the server listens; rejects with a
 * one-line reason (port in use). `port` defaults to `PORT`, else 8080. Once the shutdown has
 * completed it throws a LameduckConfigError without listening; during it, the server joins it.
 */
export function startServer<S extends AttachableServer>(
  lameduck: NodeLameduck,
  app: Listenable<S>,
  options: ListenOptions = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<S> {
  if (typeof (app as Partial<Listenable<S>> | null)?.listen !== 'function') {
    throw new LameduckConfigError(
      `startServer(lameduck, app) needs something with listen(port, host, callback), such as an http.Server or an Express app; got ${describeValue(app)}`,
    );
  }
  // Before app.listen(): refused by attach() afterwards, the server would be left listening.
  if (lameduck.state === 'closed') throw afterShutdownError('listen()');
  const port = resolvePort(options.port, env.PORT);
  if (options.host !== undefined && (typeof options.host !== 'string' || options.host === '')) {
    throw new LameduckConfigError(
      `host must be a host name or address like "0.0.0.0", got ${describeValue(options.host)}`,
    );
  }
  return new Promise<S>((resolve, reject) => {
    let server: S | undefined;
    const onListening = () => {
      server?.off('error', onError);
      const address = server?.address() as AddressInfo | null;
      if (server?.listening === false) {
        // Attached after the shutdown started: the drain closed the listener at once.
        lameduck.logger.info('not listening: the shutdown started before the server was up');
      } else {
        lameduck.logger.info(
          `listening on ${address ? `${address.address}:${address.port}` : `port ${port}`}`,
        );
      }
      if (server) resolve(server);
    };
    const onError = (error: NodeJS.ErrnoException) => {
      const where = `${options.host ?? 'all interfaces'} port ${port}`;
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `cannot listen on ${where}: the port is already in use; stop the other process or set PORT`
            : `cannot listen on ${where}: ${error.message}`,
        ),
      );
    };
    server = app.listen(port, options.host, () => queueMicrotask(onListening));
    lameduck.attach(server);
    server.once('error', onError);
  });
}

/**
 * The port to listen on: the `port` option when given (an integer 0..65535), else `PORT` from the
 * environment, else DEFAULT_PORT. Every adapter's listen() reads it this way, with these messages.
 */
export function resolvePort(option: unknown, fromEnv: string | undefined): number {
  if (option !== undefined) {
    if (typeof option !== 'number' || !Number.isInteger(option) || option < 0 || option > 65_535) {
      throw new LameduckConfigError(`port must be an integer from 0 to 65535, got ${describeValue(option)}`);
    }
    return option;
  }
  if (fromEnv === undefined || fromEnv === '') return DEFAULT_PORT;
  const port = Number(fromEnv);
  if (!/^\d+$/.test(fromEnv) || port > 65_535) {
    throw new LameduckConfigError(`PORT must be an integer from 0 to 65535, got "${fromEnv.slice(0, 20)}"`);
  }
  return port;
}
