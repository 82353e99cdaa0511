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

/** The server property holding its observer: found from the message by a property read. */
const OBSERVER = Symbol('lameduck HTTP/1 observer');
type Observed = { [OBSERVER]?: Http1Observer };
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
  const before = observed[OBSERVER];
  // One observer per server is the rule (one tracker); a second one shares the slot.
  observed[OBSERVER] =
    before === undefined
      ? observer
      : {
          start(exchange) {
            before.start(exchange);
            observer.start(exchange);
          },
          finish(exchange) {
            before.finish(exchange);
            observer.finish(exchange);
          },
        };
  if (subscribed) return;
  subscribed = true;
  subscribe('http.server.request.start', onStart);
  subscribe('http.server.response.finish', onFinish);
}

function onStart(message: unknown): void {
  ((message as Http1Exchange).server as Observed)[OBSERVER]?.start(message as Http1Exchange);
}

function onFinish(message: unknown): void {
  ((message as Http1Exchange).server as Observed)[OBSERVER]?.finish(message as Http1Exchange);
}
