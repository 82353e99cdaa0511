import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttp2Server, createSecureServer } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { LameduckConfigError } from '../index.js';
import { serverKind } from './server-kind.js';

describe('serverKind', () => {
  it('knows http, https, and both kinds of http2 server', () => {
    expect(serverKind(createHttpServer())).toBe('http');
    expect(serverKind(createHttpsServer())).toBe('https');
    expect(serverKind(createHttp2Server())).toBe('http2');
    expect(serverKind(createSecureServer())).toBe('http2-secure');
  });

  it.each([
    ['a net.Server', createNetServer(), /got a net.Server that speaks no HTTP/],
    ['a tls.Server', createTlsServer(), /got a tls.Server that speaks no HTTP/],
    ['an app function', () => {}, /got a function \(an Express or Koa app\?\)/],
    ['undefined', undefined, /got undefined; pass what http.createServer\(\)/],
    ['an object', { listen() {} }, /got an object/],
  ])('refuses %s with a message that names the fix', (_name, value, message) => {
    expect(() => serverKind(value)).toThrow(LameduckConfigError);
    expect(() => serverKind(value)).toThrow(message);
  });
});
