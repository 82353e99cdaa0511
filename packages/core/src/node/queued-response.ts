import type { ServerResponse } from 'node:http';

/**
 * Node's view of a response that may still be waiting for its socket: a pipelined one whose
 * handler finished while an earlier response on the same socket is still being written. Its
 * head is built (`_header`) and buffered, with its first bytes, in `outputData` until Node
 * hands it the socket.
 */
interface QueuedResponse {
  socket?: unknown;
  _header?: unknown;
  _last?: unknown;
  outputData?: { data: unknown }[];
  outputSize?: number;
  _onPendingData?: (bytes: number) => void;
}

const KEEP_ALIVE = /\r\nconnection:[ \t]*keep-alive[ \t]*\r\n/i;
const KEEP_ALIVE_PARAMETERS = /\r\nkeep-alive:[^\r]*\r\n/i;

/**
 * Turns the buffered `Connection: keep-alive` head of a queued response into
 * `Connection: close`, and tells Node to close the socket after it (`_last`, the flag Node
 * decides by). A pipelined response answered before the drain started has built its head
 * already; without this it would say keep-alive and the socket would close after it anyway
 * (RFC 9112 §9.6 wants the last response to say close). Returns false, changing nothing, when
 * the response is not queued in the shape Node 20 to 26 use (its head is on the wire, or Node
 * stores it differently): the tracker then keeps the socket open for the idle grace instead.
 */
export function closeQueuedResponse(response: ServerResponse): boolean {
  const queued = response as unknown as QueuedResponse;
  if (queued.socket != null) return false; // it owns the socket: its head may have left
  const header = queued._header;
  const first = queued.outputData?.[0];
  if (typeof header !== 'string' || first === undefined || typeof first.data !== 'string') return false;
  if (!first.data.startsWith(header) || !KEEP_ALIVE.test(header)) return false;
  const closing = header
    .replace(KEEP_ALIVE, '\r\nConnection: close\r\n')
    .replace(KEEP_ALIVE_PARAMETERS, '\r\n');
  const grownBy = closing.length - header.length;
  first.data = closing + first.data.slice(header.length);
  queued._header = closing;
  // Node counts buffered bytes per response and per socket, and subtracts them when it flushes.
  if (typeof queued.outputSize === 'number') queued.outputSize += grownBy;
  queued._onPendingData?.call(response, grownBy);
  queued._last = true;
  response.shouldKeepAlive = false;
  return true;
}
