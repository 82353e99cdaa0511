// What this adapter reads of a grpc-js Server that grpc-js does not publish, in one place.
// grpc-js serves on Node's own HTTP/2 servers, one per bound address, and keeps them in
// `http2Servers` (a Map whose keys are the servers, since 1.10); its method handlers are in
// `handlers` (a Map keyed by '/package.Service/Method'). The drain engine attaches those HTTP/2
// servers as it attaches any other, and the health service answers for the services registered.
import type { Http2SecureServer, Http2Server } from 'node:http2';
import { LameduckConfigError } from '@lameduck/core';

type Http2Listener = Http2Server | Http2SecureServer;

const UNSUPPORTED =
  'this @grpc/grpc-js keeps its HTTP/2 servers where @lameduck/grpc cannot find them; use @grpc/grpc-js 1.10 or later';

/** The HTTP/2 servers a grpc-js Server serves on: one per address bound (and per connection injector). */
export function http2ServersOf(server: object): Http2Listener[] {
  const servers = (server as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map)) throw new LameduckConfigError(UNSUPPORTED);
  return [...servers.keys()] as Http2Listener[];
}

/**
 * The fully qualified names of the services registered on a grpc-js Server
 * ('helloworld.Greeter'), from its method paths. Empty when they cannot be read: the health
 * service then answers for its own names only.
 */
export function serviceNamesOf(server: object): Set<string> {
  const names = new Set<string>();
  const handlers = (server as { handlers?: unknown }).handlers;
  if (!(handlers instanceof Map)) return names;
  for (const path of handlers.keys()) {
    if (typeof path !== 'string') continue;
    const slash = path.indexOf('/', 1);
    if (path.startsWith('/') && slash > 1) names.add(path.slice(1, slash));
  }
  return names;
}
