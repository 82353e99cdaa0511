import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2Session, ServerHttp2Stream } from 'node:http2';
import { Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { activityStamp, quietForAtLeastMs } from './activity-clock.js';
import { type Http1Exchange, observeHttp1 } from './http1-channels.js';
import { listenAlongside } from './listen-alongside.js';
import { DEFAULT_IDLE_GRACE_MS } from './options.js';
import { closeQueuedResponse } from './queued-response.js';
import type { AttachableServer, ServerKind } from './server-kind.js';
import { noteUpgrade } from './upgraded-sockets.js';

/** A socket that left HTTP through an upgrade (WebSocket) or CONNECT and is still open. */
export interface UpgradedSocket {
  readonly socket: Duplex;
  readonly request: IncomingMessage;
}

/** One HTTP/1 connection: the socket requests arrive on (a TLSSocket for https). */
interface Http1Connection {
  readonly protocol: 'http1';
  readonly socket: Duplex;
  /** Requests dispatched on it whose response has not finished (pipelined ones included). */
  inFlight: number;
  /**
   * The response to the request dispatched last, until it finishes. Node writes pipelined
   * responses in order and closes the socket after the first that says `Connection: close`, so
   * only this one may say it: an earlier one would cut off the answers queued behind it.
   */
  last?: ServerResponse;
  /** A response saying `Connection: close` finished: a request read after it cannot be answered. */
  closing: boolean;
  /** When it connected or last finished a response (an activity-clock stamp). */
  lastActivity: number;
  /** Set when the socket left HTTP (WebSocket, CONNECT): no responses will come on it. */
  upgrade?: IncomingMessage;
  /** The idle grace: closes the socket unless a request arrived meanwhile. */
  graceTimer?: ReturnType<typeof setTimeout>;
}

interface Http2Connection {
  readonly protocol: 'http2';
  readonly session: Http2Session;
  streams: number;
  /** Open streams whose response has not finished (`streams` counts them until they close). */
  answering: number;
  /** Sent its GOAWAY during the drain (after its last open stream was answered). */
  toldToGoAway: boolean;
  /** A PING is out to see whether the client sent more streams before the GOAWAY goes. */
  pinging: boolean;
  /** When it connected or last finished an answer (an activity-clock stamp). */
  lastActivity: number;
  /** After the listener closed: closes the session unless a stream arrived meanwhile. */
  graceTimer?: ReturnType<typeof setTimeout>;
}

type Connection = Http1Connection | Http2Connection;

/**
 * Closing an idle keep-alive socket races with a client that is sending its next request on it at
 * that very moment: the client gets ECONNRESET. A busy client sends again within milliseconds, so
 * a socket active this recently gets this long to do so (its answer says `Connection: close`,
 * and it closes after); a socket idle longer than this is closed at once. Without a drain delay
 * (a pod that pauses in a preStop sleep instead) this is what keeps busy keep-alive clients
 * from the race: measured with the rollout drill, 1–4 resets per rollout without it.
 */
export { DEFAULT_IDLE_GRACE_MS };

/**
 * serving: normal. draining: every HTTP/1 response says Connection: close, and every HTTP/2
 * session gets a GOAWAY once its open streams are answered. closing: listener closed.
 */
type TrackerPhase = 'serving' | 'draining' | 'closing';

export interface StopReport {
  /** Keep-alive sockets with no request in flight, and sockets that never sent one: closed now. */
  idleClosed: number;
  /**
   * Idle sockets active within the idle grace (`idleGraceMs`): given the rest of that time to
   * send one last request (answered with `Connection: close`), then closed.
   */
  idleInGrace: number;
  /** Sockets with a request in flight: closed after their last response. */
  busy: number;
  /** HTTP/2 sessions sent the final GOAWAY (after the idle grace, for those active within it with no stream open). */
  sessions: number;
  /** TLS connections that never finished their handshake: destroyed (a reset, not a FIN). */
  handshakesClosed: number;
  /** Upgraded sockets, for the caller to hand to a hook or close. */
  upgraded: UpgradedSocket[];
}

export interface DestroyReport {
  connections: number;
  requests: number;
}

/**
 * Tracks every connection of one server and every request in flight on each, with Node's public
 * events and diagnostics channels only, so that the drain behaves the same whatever
 * `server.close()` does in the running Node version (it closes idle connections since Node 19,
 * and did not before). Like Go's net/http, it keeps state per connection (a count of requests
 * in flight and when it was last active) rather than anything per request.
 */
export class ServerTracker {
  readonly server: AttachableServer;
  /** How long a recently active idle socket gets for one last request (DEFAULT_IDLE_GRACE_MS). */
  readonly idleGraceMs: number;
  readonly #http2: boolean;
  #phase: TrackerPhase = 'serving';
  /** Keyed by socket (HTTP/1) or session (HTTP/2). */
  readonly #connections = new Map<object, Connection>();
  /** TLS servers only: sockets accepted whose TLS handshake has not finished. */
  readonly #handshaking = new Set<Socket>();
  #handshakesKnown = true;
  readonly #emptyWaiters = new Set<() => void>();
  /** The socket property holding its connection's state (one per tracker). */
  readonly #key = Symbol('lameduck connection');
  /** Connections accepted so far (TCP), to tell when the accept queue is empty. */
  #accepted = 0;
  /** Pipelined requests read after a response that closed their socket: never answered. */
  #unanswered = 0;
  /** Probe targets, left out of the quiet window. */
  readonly #isProbe: (target: string) => boolean;
  /** performance.now() of the last non-probe request or stream since the drain started. */
  #lastRequestWhileDraining: number | undefined;
  /** The activity-clock stamp of the drain's start: connection activity after it is not counted. */
  #drainStartedStamp = Number.POSITIVE_INFINITY;

  constructor(
    server: AttachableServer,
    kind: ServerKind,
    idleGraceMs = DEFAULT_IDLE_GRACE_MS,
    isProbe: (target: string) => boolean = () => false,
  ) {
    this.server = server;
    this.idleGraceMs = idleGraceMs;
    this.#isProbe = isProbe;
    this.#http2 = kind === 'http2' || kind === 'http2-secure';
    const tls = kind === 'https' || kind === 'http2-secure';
    if (kind === 'http') {
      server.on('connection', (socket: Socket) => {
        this.#accepted += 1;
        this.#onSocket(socket);
      });
    }
    if (kind === 'http2') {
      server.on('connection', () => {
        this.#accepted += 1;
      });
    }
    if (tls) {
      server.on('connection', (socket: Socket) => {
        this.#accepted += 1;
        this.#onTcpSocket(socket);
      });
      server.on('secureConnection', (socket: TLSSocket) => this.#onTlsSocket(socket));
    }
    if (kind === 'http2' || kind === 'http2-secure') {
      server.on('session', (session: Http2Session) => this.#onSession(session));
    }
    // HTTP/1 requests (HTTP/2 ones are counted as streams on their session): from the channels
    // rather than the request events, so that requests Node answers itself (503 past
    // maxRequestsPerSocket, 417) count too, and the app's listener stays the only one.
    // Bound rather than wrapped in arrows: one frame less on every request.
    observeHttp1(server, {
      start: this.#onRequest.bind(this),
      finish: this.#onResponseFinish.bind(this),
    });
    for (const event of ['upgrade', 'connect']) {
      listenAlongside(server, event, (request: IncomingMessage, socket: Duplex) =>
        this.#onUpgrade(request, socket),
      );
    }
  }

  /** Open connections: sockets and HTTP/2 sessions, upgraded ones included. */
  get connections(): number {
    return this.#connections.size;
  }

  /** HTTP/1 requests whose response has not finished, plus open HTTP/2 streams. */
  get inFlight(): number {
    let count = 0;
    for (const connection of this.#connections.values()) {
      count += connection.protocol === 'http1' ? connection.inFlight : connection.streams;
    }
    return count;
  }

  /**
   * How long the server has been quiet: since the last request (HTTP/1) or stream (HTTP/2) of the
   * drain that is not a probe, and since any open idle connection last answered or connected
   * before the drain (with no drain delay, a preStop sleep instead, the proxy's last requests
   * came just before SIGTERM; activity during the drain is the requests', probes left out).
   * Infinity when neither. Requests are stamped only while draining, and connections read only
   * here: nothing is added per request while serving.
   */
  get quietForMs(): number {
    const last = this.#lastRequestWhileDraining;
    let quietForMs = last === undefined ? Number.POSITIVE_INFINITY : performance.now() - last;
    for (const connection of this.#connections.values()) {
      // A request in flight is stamped when it came during the drain; an upgraded socket is not HTTP.
      const busy =
        connection.protocol === 'http1'
          ? connection.inFlight > 0 || connection.upgrade !== undefined
          : connection.streams > 0;
      if (!busy && connection.lastActivity <= this.#drainStartedStamp) {
        quietForMs = Math.min(quietForMs, quietForAtLeastMs(connection.lastActivity));
      }
    }
    return quietForMs;
  }

  /** TCP connections accepted since the tracker was created. */
  get accepted(): number {
    return this.#accepted;
  }

  /**
   * Pipelined HTTP/1 requests read after a response that said `Connection: close` had left: their
   * handlers ran, but Node closes the socket after that response, so nobody hears their answer.
   */
  get unanswered(): number {
    return this.#unanswered;
  }

  /**
   * From now on the last response on each HTTP/1 socket carries `Connection: close`, including
   * those in progress whose headers have not left. An HTTP/2 session is told the same way after
   * a response: once none of its streams is open, it gets a GOAWAY naming the last stream it
   * sent, all of them answered (see `goAwayAfterLastStream`). Idle ones are left alone until
   * the listener closes, as idle HTTP/1 sockets are.
   */
  startDraining(): void {
    if (this.#phase !== 'serving') return;
    this.#phase = 'draining';
    this.#drainStartedStamp = activityStamp();
    for (const connection of this.#connections.values()) {
      if (connection.protocol === 'http1' && connection.last !== undefined) askToClose(connection.last);
    }
  }

  /**
   * Closes the listener, closes idle sockets and sockets that never sent a request, marks busy
   * ones to close after their response, sends GOAWAY to HTTP/2 sessions, and returns upgraded
   * sockets to the caller.
   */
  stopAccepting(): StopReport {
    this.startDraining();
    this.#phase = 'closing';
    const report: StopReport = {
      idleClosed: 0,
      idleInGrace: 0,
      busy: 0,
      sessions: 0,
      handshakesClosed: 0,
      upgraded: [],
    };
    // No callback: lameduck waits for its own connection count, not for 'close' (see above).
    // A server attached while it was still starting up (the shutdown began first) closes as
    // soon as it listens: nothing routes traffic to it, and it must not outlive the shutdown.
    if (this.server.listening) closeListenerOnly(this.server, this.#http2);
    else this.server.once('listening', () => closeListenerOnly(this.server, this.#http2));
    for (const connection of this.#connections.values()) {
      if (connection.protocol === 'http2') {
        report.sessions += 1;
        this.#closeSession(connection);
      } else if (connection.upgrade) {
        report.upgraded.push({ socket: connection.socket, request: connection.upgrade });
      } else if (connection.inFlight === 0) {
        const quietForMs = quietForAtLeastMs(connection.lastActivity);
        if (quietForMs >= this.idleGraceMs) {
          report.idleClosed += 1;
          closeIdle(connection.socket);
        } else {
          report.idleInGrace += 1;
          closeWhenQuiet(connection, this.idleGraceMs - quietForMs);
        }
      } else {
        report.busy += 1;
      }
    }
    // A socket mid-handshake has sent no request. Which raw socket is still handshaking is only
    // known where the TLS socket names its parent; without that, leave them to the deadline.
    if (this.#handshakesKnown) {
      for (const socket of this.#handshaking) {
        report.handshakesClosed += 1;
        socket.destroy();
      }
    }
    return report;
  }

  /** Resolves once no connection is left (only meaningful after stopAccepting). */
  whenEmpty(): Promise<void> {
    if (this.#connections.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#emptyWaiters.add(resolve));
  }

  /** The deadline: destroys every connection left, mid-request or not. */
  destroyAll(): DestroyReport {
    const report = { connections: this.#connections.size, requests: this.inFlight };
    for (const connection of this.#connections.values()) {
      if (connection.protocol === 'http2') connection.session.destroy();
      else connection.socket.destroy();
    }
    for (const socket of this.#handshaking) socket.destroy();
    return report;
  }

  #onSocket(socket: Duplex): Http1Connection {
    const known = (socket as unknown as Record<symbol, Http1Connection | undefined>)[this.#key];
    if (known !== undefined) return known;
    const connection: Http1Connection = {
      protocol: 'http1',
      socket,
      inFlight: 0,
      closing: false,
      lastActivity: activityStamp(),
    };
    this.#connections.set(socket, connection);
    // Found again from the socket on every request: a property read, not a map lookup.
    (socket as unknown as Record<symbol, Http1Connection>)[this.#key] = connection;
    // 'close' comes once: `on` spares the removal `once` does, per socket, as it closes.
    socket.on('close', () => {
      clearTimeout(connection.graceTimer);
      this.#forget(socket);
    });
    return connection;
  }

  /** While draining: what a finished response means for its socket. */
  #afterResponse(connection: Http1Connection, response: ServerResponse): void {
    if (closesSocket(response)) connection.closing = true;
    if (this.#phase !== 'closing' || connection.inFlight > 0 || connection.upgrade) return;
    if (connection.closing) {
      // Node closes it after this response; make sure it does not linger half-open.
      endGracefully(connection.socket);
    } else {
      // Its keep-alive headers left before the drain: the client may be sending its next
      // request on it right now. Give it the idle grace; that request is answered with
      // `Connection: close`, and closing at once would reset it.
      closeWhenQuiet(connection, this.idleGraceMs);
    }
  }

  #onTcpSocket(socket: Socket): void {
    this.#handshaking.add(socket);
    socket.on('close', () => this.#handshaking.delete(socket));
  }

  #onTlsSocket(socket: TLSSocket): void {
    // `_parent` is the TCP socket a server-side TLSSocket wraps (Node 0.11 to 24 at least).
    const parent = (socket as unknown as { _parent?: Socket })._parent;
    if (parent === undefined) this.#handshakesKnown = false;
    else this.#handshaking.delete(parent);
    if (socket.alpnProtocol === 'h2') return; // its session arrives through 'session'
    const connection = this.#onSocket(socket);
    // A handshake that finishes after the listener closed: its client is about to send a
    // request; like any socket that just connected, it gets the idle grace for it.
    if (this.#phase === 'closing' && connection.inFlight === 0) closeWhenQuiet(connection, this.idleGraceMs);
  }

  #onSession(session: Http2Session): void {
    // No GOAWAY yet, even while draining: the client's first streams are on their way, and
    // Node's HTTP/2 server takes no new stream once it sent one (whatever its last stream id).
    const connection: Http2Connection = {
      protocol: 'http2',
      session,
      streams: 0,
      answering: 0,
      toldToGoAway: false,
      pinging: false,
      lastActivity: activityStamp(),
    };
    this.#connections.set(session, connection);
    session.on('stream', (stream: ServerHttp2Stream, headers: Record<string, unknown>) => {
      if (this.#phase !== 'serving') this.#stampRequest(headers[':path']);
      connection.streams += 1;
      connection.answering += 1;
      clearTimeout(connection.graceTimer);
      let answered = false;
      // From the response's end ('finish'), not the stream's 'close' a few ms later: the GOAWAY
      // then leaves right behind the answer, and the client has less time to send a stream
      // the GOAWAY would refuse.
      const onAnswered = () => {
        if (answered) return;
        answered = true;
        connection.answering -= 1;
        connection.lastActivity = activityStamp();
        if (connection.answering > 0) return;
        if (this.#phase === 'draining') goAwayWhenQuiet(connection, () => this.#phase === 'draining');
        // Its first request after the listener closed (in the idle grace) is answered: done.
        else if (this.#phase === 'closing') connection.session.close();
      };
      stream.once('finish', onAnswered);
      stream.on('close', () => {
        connection.streams -= 1;
        onAnswered();
      });
    });
    session.on('close', () => {
      clearTimeout(connection.graceTimer);
      this.#forget(session);
    });
    // Connected after the listener closed (accepted from the queue): its first request is on
    // its way; like a socket that just connected, it gets the idle grace for it.
    if (this.#phase === 'closing') this.#closeSession(connection);
  }

  /**
   * The listener closed: the final GOAWAY, and Node closes the session after its open streams.
   * A session with none that was active within the idle grace (one that just connected, most
   * often) gets the rest of the grace for a request first, as an HTTP/1 socket does: a GOAWAY
   * now would refuse the request it is sending.
   */
  #closeSession(connection: Http2Connection): void {
    const quietForMs = quietForAtLeastMs(connection.lastActivity);
    if (connection.streams > 0 || connection.toldToGoAway || quietForMs >= this.idleGraceMs) {
      connection.session.close();
      return;
    }
    clearTimeout(connection.graceTimer);
    connection.graceTimer = setTimeout(() => {
      if (connection.streams === 0) connection.session.close();
    }, this.idleGraceMs - quietForMs);
    // The drain waits for the connection count, not for this timer.
    connection.graceTimer.unref();
  }

  /** Published before the app sees the request: a Connection header set now is in its answer. */
  #onRequest({ request, socket, response }: Http1Exchange): void {
    const connection = this.#onSocket(socket);
    const previous = connection.last;
    connection.inFlight += 1;
    connection.last = response;
    if (this.#phase !== 'serving') {
      this.#stampRequest(request.url);
      this.#lastOnSocket(connection, previous, response);
    }
  }

  /** While draining: a request that is not a probe restarts the quiet window. */
  #stampRequest(target: unknown): void {
    if (typeof target === 'string' && this.#isProbe(target)) return;
    this.#lastRequestWhileDraining = performance.now();
  }

  /** Published from the response's `finish`, before Node detaches it from its socket. */
  #onResponseFinish({ socket, response }: Http1Exchange): void {
    const connection = (socket as unknown as Record<symbol, Http1Connection | undefined>)[this.#key];
    // A request that started before this tracker saw its socket (attached after listen()).
    if (connection === undefined || connection.inFlight === 0) return;
    connection.inFlight -= 1;
    if (connection.last === response) connection.last = undefined;
    connection.lastActivity = activityStamp();
    if (this.#phase !== 'serving') this.#afterResponse(connection, response);
  }

  /** While draining: `response` is now the last on its socket; only it may say Connection: close. */
  #lastOnSocket(
    connection: Http1Connection,
    previous: ServerResponse | undefined,
    response: ServerResponse,
  ): void {
    clearTimeout(connection.graceTimer);
    if (connection.closing || (previous?.headersSent === true && closesSocket(previous))) {
      // Read behind a response that closes the socket (a pipelining client sent it before
      // that answer arrived): its answer will never be sent.
      this.#unanswered += 1;
      return;
    }
    if (previous !== undefined) letKeepAlive(previous);
    askToClose(response);
  }

  #onUpgrade(request: IncomingMessage, socket: Duplex): void {
    const connection = this.#onSocket(socket);
    connection.upgrade = request;
    noteUpgrade(socket);
  }

  #forget(key: object): void {
    this.#connections.delete(key);
    if (this.#connections.size > 0) return;
    for (const resolve of this.#emptyWaiters) resolve();
    this.#emptyWaiters.clear();
  }
}

/**
 * Stops accepting without touching open connections. Since Node 19, `server.close()` of an HTTP
 * server also closes every idle keep-alive socket at once, which races clients sending their
 * next request on it (ECONNRESET). lameduck closes idle sockets itself, with a grace for recently
 * active ones, so that step is skipped here, whichever Node version runs; the same goes for
 * the sessions an HTTP/2 server's close() closes since Node 24.
 */
function closeListenerOnly(server: AttachableServer, http2: boolean): void {
  if (http2 && server instanceof NetServer) {
    // Since Node 24 an HTTP/2 server's close() also closes every session (a GOAWAY to each,
    // sessions in the idle grace included): only the listener's part of it, on every version.
    NetServer.prototype.close.call(server);
    return;
  }
  const http = server as { closeIdleConnections?: () => void };
  if (typeof http.closeIdleConnections !== 'function') {
    server.close();
    return;
  }
  const own = Object.hasOwn(http, 'closeIdleConnections') ? http.closeIdleConnections : undefined;
  http.closeIdleConnections = () => {};
  try {
    server.close();
  } finally {
    if (own === undefined) delete http.closeIdleConnections;
    else http.closeIdleConnections = own;
  }
}

/** Waits `ms` for a request on an idle socket; closes it if none came. */
function closeWhenQuiet(connection: Http1Connection, ms: number): void {
  clearTimeout(connection.graceTimer);
  connection.graceTimer = setTimeout(() => {
    if (connection.inFlight === 0) closeIdle(connection.socket);
  }, ms);
  // The drain waits for the connection count, not for this timer.
  connection.graceTimer.unref();
}

/**
 * Whether Node closes the socket after this response. `_last` is the flag Node itself decides
 * by (set from `Connection: close`, HTTP/1.0 without keep-alive, or a body of unknown length);
 * `shouldKeepAlive` is the public half of it, for a Node version without the flag.
 */
function closesSocket(response: ServerResponse): boolean {
  const last = (response as { _last?: unknown })._last;
  return typeof last === 'boolean' ? last : !response.shouldKeepAlive;
}

/** What askToClose changed on a response, to undo it when a pipelined request follows it. */
const asked = new WeakMap<ServerResponse, { shouldKeepAlive: boolean; connection: unknown }>();

/**
 * Makes this response the last on its socket: `Connection: close` in its headers, and Node closes
 * the socket once it is sent. Too late for a response whose headers already left (unless they
 * are still queued behind an earlier pipelined response); the tracker closes those sockets
 * after the response instead.
 */
function askToClose(response: ServerResponse): void {
  if (asked.has(response)) return;
  if (response.headersSent) {
    // A pipelined answer built before the drain, still waiting for its socket.
    closeQueuedResponse(response);
    return;
  }
  asked.set(response, {
    shouldKeepAlive: response.shouldKeepAlive,
    connection: response.getHeader('connection'),
  });
  response.setHeader('Connection', 'close');
  // Also covers an app that replaces every header in writeHead(): with no Connection header
  // left, Node writes `Connection: close` itself when shouldKeepAlive is false.
  response.shouldKeepAlive = false;
  // Error handlers that reset a response (Koa's removes every header) would take the header
  // away, and Node then closes the socket without telling the client it will: a keep-alive
  // client may reuse it and get ECONNRESET. Keep the one header the drain depends on.
  const removeHeader = response.removeHeader;
  response.removeHeader = function keepConnectionClose(this: ServerResponse, name: string) {
    if (name.toLowerCase() === 'connection') return;
    removeHeader.call(this, name);
  };
}

/** Undoes askToClose (a pipelined request arrived behind it), if its headers have not left. */
function letKeepAlive(response: ServerResponse): void {
  const before = asked.get(response);
  if (before === undefined || response.headersSent) return;
  asked.delete(response);
  delete (response as { removeHeader?: unknown }).removeHeader; // the prototype's again
  response.shouldKeepAlive = before.shouldKeepAlive;
  if (before.connection === undefined) response.removeHeader('connection');
  else response.setHeader('Connection', before.connection as string);
}

/**
 * The HTTP/2 `Connection: close`: a graceful GOAWAY naming the last stream the server
 * processed, once the session's answers have left and a PING round trip brought no new stream
 * (a client that sent one before it saw the answers: that stream is answered, and the GOAWAY
 * waits for it). RFC 9113 §6.8's two-step shutdown (a first GOAWAY with last stream id
 * 2^31-1, the real one after a PING) cannot be had on Node: its server refuses every stream
 * that arrives after any GOAWAY it sent, so a first GOAWAY would hold the streams already on
 * their way unanswered until the final one refused them. Only a stream the client sends while
 * this GOAWAY is in flight is refused, unprocessed, which RFC 9113 §8.7 lets a client retry.
 */
function goAwayWhenQuiet(connection: Http2Connection, draining: () => boolean): void {
  const { session } = connection;
  if (connection.toldToGoAway || connection.pinging || session.closed || session.destroyed) return;
  connection.pinging = true;
  const goAwayIfQuiet = () => {
    connection.pinging = false;
    if (connection.answering > 0 || !draining() || session.closed || session.destroyed) return;
    connection.toldToGoAway = true;
    // Last stream id 0: Node names the last stream the session processed.
    session.goaway(0 /* NGHTTP2_NO_ERROR */, 0);
  };
  // The ACK's callback runs while Node is still reading the data that came with it: decide
  // after that read, once the streams that arrived with the ACK are counted.
  const sent = session.ping(() => setImmediate(goAwayIfQuiet));
  if (!sent) goAwayIfQuiet();
}

/**
 * Sends FIN after anything still buffered, then destroys the socket without waiting for the
 * peer's FIN: a client that never closes its side must not hold the drain open.
 */
export function endGracefully(socket: Duplex): void {
  if (socket.destroyed) return;
  socket.end(() => socket.destroy());
}

/**
 * Closes an idle keep-alive socket. With nothing left to send on a plain TCP socket, closing it
 * sends the same FIN as end() would, without end()'s shutdown request and the callbacks after
 * it: a third of the work, which counts when a thousand idle sockets close in one turn of the
 * event loop while a request is still in flight. A TLS socket still ends first, so that its
 * close_notify goes out before the FIN.
 */
function closeIdle(socket: Duplex): void {
  if (socket.writableLength === 0 && (socket as { encrypted?: boolean }).encrypted !== true) {
    socket.destroy();
  } else {
    endGracefully(socket);
  }
}
