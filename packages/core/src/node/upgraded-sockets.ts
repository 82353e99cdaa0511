import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { UpgradedSocket } from './connections.js';

/** RFC 6455 §7.4.1: the endpoint is going away (a server shutting down). */
export const GOING_AWAY = 1001;
export const GOING_AWAY_REASON = 'going away';

/**
 * After lameduck wrote a close frame on a socket it does not own, how long it waits for the
 * closing handshake (the peer's close frame and FIN, answered by whoever reads the socket) before
 * it sends its own FIN. A client already has the close code by then; this only bounds a socket
 * nobody reads.
 */
export const CLOSING_HANDSHAKE_WAIT_MS = 1_000;

/** What lameduck needs of a `ws` WebSocket: the `ws` package's own class fits. */
export interface WebSocketLike {
  readonly readyState: number;
  close(code?: number, reason?: string): void;
  /** `ws`'s socket, to tell which upgraded socket is this client's. */
  readonly _socket?: unknown;
}

/** What lameduck needs of a `ws` WebSocketServer (with its default `clientTracking`): its open clients. */
export interface WebSocketServerLike {
  readonly clients: Iterable<WebSocketLike>;
}

/** `ws`'s readyState values (the WHATWG ones). */
const OPEN = 1;

/** How many bytes each upgraded socket had written when its upgrade arrived (before any 101). */
const writtenAtUpgrade = new WeakMap<Duplex, number>();

/** Called as an upgrade arrives, before the app's handler: its 101, if any, comes after. */
export function noteUpgrade(socket: Duplex): void {
  writtenAtUpgrade.set(socket, bytesWritten(socket));
}

/**
 * A WebSocket whose handshake was answered: an `Upgrade: websocket` request, and bytes written
 * on the socket since (the 101). Before the 101 a close frame would be garbage to the client.
 */
export function isOpenWebSocket({ socket, request }: UpgradedSocket): boolean {
  if (!isWebSocketRequest(request) || socket.destroyed || !socket.writable) return false;
  const before = writtenAtUpgrade.get(socket);
  return before !== undefined && bytesWritten(socket) > before;
}

function isWebSocketRequest(request: IncomingMessage): boolean {
  const upgrade = request.headers.upgrade;
  return typeof upgrade === 'string' && upgrade.toLowerCase() === 'websocket';
}

function bytesWritten(socket: Duplex): number {
  const written = (socket as { bytesWritten?: unknown }).bytesWritten;
  return typeof written === 'number' ? written : 0;
}

/**
 * An RFC 6455 close frame from a server: FIN, opcode 0x8, unmasked (servers never mask), the
 * status code in two bytes, then the reason in UTF-8 (a control frame carries at most 125 bytes).
 */
export function closeFrame(code: number = GOING_AWAY, reason: string = GOING_AWAY_REASON): Buffer {
  const text = Buffer.from(reason, 'utf8').subarray(0, 123);
  const frame = Buffer.alloc(4 + text.length);
  frame[0] = 0x88;
  frame[1] = 2 + text.length;
  frame.writeUInt16BE(code, 2);
  text.copy(frame, 4);
  return frame;
}

/**
 * Says goodbye on a WebSocket lameduck does not own: writes the close frame (between two of the
 * owner's frames: every library writes a frame in one synchronous call), then waits for the
 * closing handshake — the peer's FIN, or the socket closing — up to CLOSING_HANDSHAKE_WAIT_MS,
 * and sends its own FIN.
 */
export function sayGoingAway(socket: Duplex, waitMs: number = CLOSING_HANDSHAKE_WAIT_MS): void {
  if (socket.destroyed) return;
  socket.write(closeFrame());
  const done = () => {
    clearTimeout(timer);
    // connections.ts's endGracefully, which imports this file: FIN, then no wait for the peer's.
    if (!socket.destroyed) socket.end(() => socket.destroy());
  };
  const timer = setTimeout(done, waitMs);
  timer.unref();
  socket.once('end', done);
  socket.once('close', () => clearTimeout(timer));
}

export interface GoingAwayPlan {
  /** Clients of the registered WebSocket servers: closed through `ws` (it does the handshake). */
  readonly clients: readonly WebSocketLike[];
  /** Open WebSockets lameduck sees but no registered server owns: lameduck writes the frame. */
  readonly raw: readonly Duplex[];
  /** Everything else upgraded (CONNECT, a handshake not answered yet): for the hooks, or a FIN. */
  readonly others: readonly UpgradedSocket[];
}

/**
 * Sorts the upgraded sockets. With upgraded-socket hooks registered, they own every socket no
 * registered server owns (as before there was a default): `raw` stays empty.
 */
export function planGoingAway(
  upgraded: readonly UpgradedSocket[],
  servers: readonly WebSocketServerLike[],
  hooksOwnTheRest: boolean,
): GoingAwayPlan {
  const clients: WebSocketLike[] = [];
  const owned = new Set<unknown>();
  for (const server of servers) {
    for (const client of server.clients) {
      if (client.readyState !== OPEN) continue;
      clients.push(client);
      if (client._socket !== undefined) owned.add(client._socket);
    }
  }
  const raw: Duplex[] = [];
  const others: UpgradedSocket[] = [];
  for (const entry of upgraded) {
    if (owned.has(entry.socket)) continue;
    if (!hooksOwnTheRest && isOpenWebSocket(entry)) raw.push(entry.socket);
    else others.push(entry);
  }
  return { clients, raw, others };
}

/**
 * Sends every planned WebSocket its 1001, spread evenly over `spreadMs` (the first at once), so
 * that the clients do not all reconnect to the surviving pods in the same millisecond. Resolves
 * once the last close frame is out, or at once when `signal` aborts (the drain was forced: what is
 * left is destroyed anyway).
 */
export function closeSpread(plan: GoingAwayPlan, spreadMs: number, signal?: AbortSignal): Promise<number> {
  const closes: (() => void)[] = [
    ...plan.clients.map((client) => () => {
      if (client.readyState === OPEN) client.close(GOING_AWAY, GOING_AWAY_REASON);
    }),
    ...plan.raw.map((socket) => () => sayGoingAway(socket)),
  ];
  if (closes.length === 0) return Promise.resolve(0);
  const stepMs = spreadMs / closes.length;
  return new Promise((resolve) => {
    let sent = 0;
    const timers: ReturnType<typeof setTimeout>[] = [];
    const finish = () => {
      for (const timer of timers) clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      resolve(sent);
    };
    if (signal?.aborted) return finish();
    signal?.addEventListener('abort', finish, { once: true });
    const run = (index: number) => {
      closes[index]?.();
      sent += 1;
      if (sent === closes.length) finish();
    };
    run(0);
    for (let index = 1; index < closes.length; index += 1) {
      const timer = setTimeout(run, Math.round(index * stepMs), index);
      // The drain waits for the connections, not for these timers.
      timer.unref();
      timers.push(timer);
    }
  });
}
