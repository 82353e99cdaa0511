import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * What Node's HTTP/1 server publishes on `http.server.request.start` (before the `request`,
 * `checkContinue` or `checkExpectation` event, or its own 503/417 answer) and on
 * `http.server.response.finish` (when that response's `finish` event fires), for every request
 * that gets a ServerResponse: each start has exactly one finish unless the socket dies first.
 */
export interface Http1Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly socket: Duplex;
  readonly server: object;
}

export interface Http1Observer {
  start(exchange: Http1Exchange): void;
  finish(exchange: Http1Exchange): void;
}

/** The server property holding its observers: found from the message by a property read. */
const OBSERVERS = Symbol('lameduck HTTP/1 observers');
type Observed = { [OBSERVERS]?: Http1Observer[] };
let subscribed = false;

/**
 * Calls `observer` for every HTTP/1 request and finished response of `server`, from Node's
 * diagnostics channels: one subscription per process, and no listener or closure per request
 * or response (a `finish` listener on each response cost more than the rest of the tracking).
 * Node publishes on these channels for every server once anybody subscribes; a server nobody
 * observes costs one property read per message.
 */
export function observeHttp1(server: object, observer: Http1Observer): void {
  const observed = server as Observed;
  if (observed[OBSERVERS] === undefined) observed[OBSERVERS] = [observer];
  else observed[OBSERVERS].push(observer);
  if (subscribed) return;
  subscribed = true;
  subscribe('http.server.request.start', onStart);
  subscribe('http.server.response.finish', onFinish);
}

function onStart(message: unknown): void {
  const observers = ((message as Http1Exchange).server as Observed)[OBSERVERS];
  if (observers === undefined) return;
  for (let index = 0; index < observers.length; index += 1) {
    (observers[index] as Http1Observer).start(message as Http1Exchange);
  }
}

function onFinish(message: unknown): void {
  const observers = ((message as Http1Exchange).server as Observed)[OBSERVERS];
  if (observers === undefined) return;
  for (let index = 0; index < observers.length; index += 1) {
    (observers[index] as Http1Observer).finish(message as Http1Exchange);
  }
}
