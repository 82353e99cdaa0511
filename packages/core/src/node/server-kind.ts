import { Server as HttpServer } from 'node:http';
import type { Http2SecureServer, Http2Server } from 'node:http2';
import { Server as HttpsServer } from 'node:https';
import { Server as NetServer } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import { describeValue } from '../describe.js';
import { LameduckConfigError } from '../index.js';

/** The servers lameduck can drain: what http, https and http2's `create*Server` return. */
export type AttachableServer = HttpServer | HttpsServer | Http2Server | Http2SecureServer;

/** http1 and https carry one request at a time per socket; http2 multiplexes streams in sessions. */
export type ServerKind = 'http' | 'https' | 'http2' | 'http2-secure';

/** Tells which kind of server this is, or throws a LameduckConfigError that says what was passed. */
export function serverKind(server: unknown): ServerKind {
  if (server instanceof HttpsServer) return 'https';
  if (server instanceof HttpServer) return 'http';
  // node:http2 exports no server classes; updateSettings() is what only its servers have.
  if (server instanceof NetServer && typeof (server as Http2Server).updateSettings === 'function') {
    return server instanceof TlsServer ? 'http2-secure' : 'http2';
  }
  throw new LameduckConfigError(`attach() takes an HTTP server, got ${whatItIs(server)}`);
}

function whatItIs(value: unknown): string {
  const expected =
    'pass what http.createServer(), https.createServer(), http2.createServer() or http2.createSecureServer() return (Express and Koa: the server app.listen() returns)';
  if (typeof value === 'function') return `a function (an Express or Koa app?); ${expected}`;
  if (value instanceof TlsServer) return `a tls.Server that speaks no HTTP; ${expected}`;
  if (value instanceof NetServer) return `a net.Server that speaks no HTTP; ${expected}`;
  return `${describeValue(value)}; ${expected}`;
}
