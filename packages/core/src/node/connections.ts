import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerResponse, Http2Session, ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { listenAlongside } from './listen-alongside.js';
import type { AttachableServer, ServerKind } from './server-kind.js';

/** A socket that left HTTP through an upgrade (WebSocket) or CONNECT and is still open. */
export interface UpgradedSocket {
  readonly socket: Duplex;
  readonly request: IncomingMessage;
}

/** One HTTP/1 connection: the socket requests arrive on (a TLSSocket for https). */
interface Http1Connection {
  readonly protocol: 'http1';
  readonly socket: Duplex;
  readonly responses: Set<ServerResponse>;
  /** When it connected or last finished a response (performance.now() ms). */
  lastActivityAt: number;
  /** Set when the socket left HTTP (WebSocket, CONNECT): no responses will come on it. */
  upgrade?: IncomingMessage;
}

interface Http2Connection {
  readonly protocol: 'http2';
  readonly session: Http2Session;
  streams: number;
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
export const IDLE_GRACE_MS = 1000;

/** serving: normal. draining: every response says Connection: close. closing: listener closed. */
export type TrackerPhase = 'serving' | 'draining' | 'closing';

export interface StopReport {
  /** Keep-alive sockets with no request in flight, and sockets that never sent one: closed now. */
  idleClosed: number;
  /**
   * Idle sockets active within the last IDLE_GRACE_MS: given the rest of that time to send one
   * last request (answered with `Connection: close`), then closed.
   */
  idleInGrace: number;
  /** Sockets with a request in flight: closed after their last response. */
  busy: number;
  /** HTTP/2 sessions sent GOAWAY. */
  sessions: number;
  /** TLS connections that never finished their handshake: destroyed. */
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
 * events only, so that the drain behaves the same whatever `server.close()` does in the running
 * Node version (it closes idle connections since Node 19, and did not before).
 */
export class ServerTracker {
  readonly server: AttachableServer;
  readonly kind: ServerKind;
  #phase: TrackerPhase = 'serving';
  /** Keyed by socket (HTTP/1) or session (HTTP/2). */
  readonly #connections = new Map<object, Connection>();
  /** TLS servers only: sockets accepted whose TLS handshake has not finished. */
  readonly #handshaking = new Set<Socket>();
  #handshakesKnown = true;
  readonly #emptyWaiters = new Set<() => void>();

  constructor(server: AttachableServer, kind: ServerKind) {
    this.server = server;
    this.kind = kind;
    const tls = kind === 'https' || kind === 'http2-secure';
    if (kind === 'http') server.on('connection', (socket: Socket) => this.#onSocket(socket));
    if (tls) {
      server.on('connection', (socket: Socket) => this.#onTcpSocket(socket));
      server.on('secureConnection', (socket: TLSSocket) => this.#onTlsSocket(socket));
    }
    if (kind === 'http2' || kind === 'http2-secure') {
      server.on('session', (session: Http2Session) => this.#onSession(session));
    }
    for (const event of ['request', 'checkContinue', 'checkExpectation']) {
      listenAlongside(server, event, (request: IncomingMessage, response: ServerResponse) =>
        this.#onRequest(request, response),
      );
    }
    for (const event of ['upgrade', 'connect']) {
      listenAlongside(server, event, (request: IncomingMessage, socket: Duplex) =>
        this.#onUpgrade(request, socket),
      );
    }
  }

  get phase(): TrackerPhase {
    return this.#phase;
  }

  /** Open connections: sockets and HTTP/2 sessions, upgraded ones included. */
  get connections(): number {
    return this.#connections.size;
  }

  /** HTTP/1 requests whose response has not finished, plus open HTTP/2 streams. */
  get inFlight(): number {
    let count = 0;
    for (const connection of this.#connections.values()) {
      count += connection.protocol === 'http1' ? connection.responses.size : connection.streams;
    }
    return count;
  }

  /** From now on every HTTP/1 response carries `Connection: close`, including those in progress. */
  startDraining(): void {
    if (this.#phase !== 'serving') return;
    this.#phase = 'draining';
    for (const connection of this.#connections.values()) {
      if (connection.protocol === 'http1') for (const response of connection.responses) askToClose(response);
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
    const now = performance.now();
    // No callback: lameduck waits for its own connection count, not for 'close' (see above).
    closeListenerOnly(this.server);
    for (const connection of this.#connections.values()) {
      if (connection.protocol === 'http2') {
        report.sessions += 1;
        connection.session.close();
      } else if (connection.upgrade) {
        report.upgraded.push({ socket: connection.socket, request: connection.upgrade });
      } else if (connection.responses.size === 0) {
        const idleForMs = now - connection.lastActivityAt;
        if (idleForMs >= IDLE_GRACE_MS) {
          report.idleClosed += 1;
          endGracefully(connection.socket);
        } else {
          report.idleInGrace += 1;
          const timer = setTimeout(() => {
            if (connection.responses.size === 0) endGracefully(connection.socket);
          }, IDLE_GRACE_MS - idleForMs);
          // The drain waits for the connection count, not for this timer.
          timer.unref();
          connection.socket.once('close', () => clearTimeout(timer));
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
    const known = this.#connections.get(socket);
    if (known?.protocol === 'http1') return known;
    const connection: Http1Connection = {
      protocol: 'http1',
      socket,
      responses: new Set(),
      lastActivityAt: performance.now(),
    };
    this.#connections.set(socket, connection);
    socket.once('close', () => this.#forget(socket));
    return connection;
  }

  #onTcpSocket(socket: Socket): void {
    this.#handshaking.add(socket);
    socket.once('close', () => this.#handshaking.delete(socket));
  }

  #onTlsSocket(socket: TLSSocket): void {
    // `_parent` is the TCP socket a server-side TLSSocket wraps (Node 0.11 to 24 at least).
    const parent = (socket as unknown as { _parent?: Socket })._parent;
    if (parent === undefined) this.#handshakesKnown = false;
    else this.#handshaking.delete(parent);
    if (socket.alpnProtocol === 'h2') return; // its session arrives through 'session'
    const connection = this.#onSocket(socket);
    // A handshake that finishes after the listener closed: it may not start a new request.
    if (this.#phase === 'closing' && connection.responses.size === 0) endGracefully(socket);
  }

  #onSession(session: Http2Session): void {
    const connection: Http2Connection = { protocol: 'http2', session, streams: 0 };
    this.#connections.set(session, connection);
    session.on('stream', (stream: ServerHttp2Stream) => {
      connection.streams += 1;
      stream.once('close', () => {
        connection.streams -= 1;
      });
    });
    session.once('close', () => this.#forget(session));
    if (this.#phase === 'closing') session.close();
  }

  #onRequest(request: IncomingMessage, response: ServerResponse | Http2ServerResponse): void {
    // HTTP/2 requests are counted as streams on their session; Connection headers are illegal there.
    if (request.httpVersionMajor >= 2) return;
    const http1Response = response as ServerResponse;
    const connection = this.#onSocket(request.socket);
    connection.responses.add(http1Response);
    http1Response.once('close', () => {
      connection.responses.delete(http1Response);
      connection.lastActivityAt = performance.now();
      if (this.#phase === 'closing' && connection.responses.size === 0 && !connection.upgrade) {
        // Usually Node already closes it (Connection: close); this covers responses whose
        // headers left before the drain started, with keep-alive in them.
        endGracefully(connection.socket);
      }
    });
    if (this.#phase !== 'serving') askToClose(http1Response);
  }

  #onUpgrade(request: IncomingMessage, socket: Duplex): void {
    const connection = this.#onSocket(socket);
    connection.upgrade = request;
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
 * active ones, so that step is skipped here, whichever Node version runs.
 */
function closeListenerOnly(server: AttachableServer): void {
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

/**
 * Makes this response the last on its socket: `Connection: close` in its headers, and Node closes
 * the socket once it is sent. Too late for a response whose headers already left; the tracker
 * closes those sockets after the response instead.
 */
function askToClose(response: ServerResponse): void {
  if (response.headersSent) return;
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

/**
 * Sends FIN after anything still buffered, then destroys the socket without waiting for the
 * peer's FIN: a client that never closes its side must not hold the drain open.
 */
export function endGracefully(socket: Duplex): void {
  if (socket.destroyed) return;
  socket.end(() => socket.destroy());
}
