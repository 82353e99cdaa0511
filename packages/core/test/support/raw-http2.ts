// A bare HTTP/2 client that writes frames itself, for what Node's client cannot do on purpose:
// send a stream after a GOAWAY reached it (one that crossed the GOAWAY on the wire), and show
// every GOAWAY frame the server sent, in order, with its last stream id.
import { connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';

export interface RawStream {
  readonly id: number;
  /** The response's HEADERS frame arrived. */
  headers: boolean;
  body: string;
  /** END_STREAM arrived: the answer is complete. */
  ended: boolean;
  /** The error code of a RST_STREAM, if the server reset it. */
  reset?: number;
}

export interface RawGoaway {
  readonly lastStreamId: number;
  readonly code: number;
  readonly atMs: number;
}

export interface RawHttp2Client {
  readonly goaways: RawGoaway[];
  /** Sends a GET for `path` on the next stream id; resolves when it ends or is reset. */
  request(path: string): Promise<RawStream>;
  /** Resolves when a GOAWAY arrives (at once if one did). */
  goaway(): Promise<RawGoaway>;
  destroy(): void;
}

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const DATA = 0;
const HEADERS = 1;
const RST_STREAM = 3;
const SETTINGS = 4;
const PING = 6;
const GOAWAY = 7;
const END_STREAM = 0x1;
const ACK = 0x1;
const END_HEADERS = 0x4;

function frame(type: number, flags: number, streamId: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(streamId, 5);
  return Buffer.concat([head, payload]);
}

/** HPACK without Huffman: :method GET, :scheme (indexed), :path and :authority as literals. */
function requestHeaders(path: string, secure: boolean): Buffer {
  const literal = (index: number, value: string) => {
    const bytes = Buffer.from(value, 'latin1');
    if (bytes.length > 126) throw new Error(`path too long for this client: ${bytes.length} bytes`);
    return Buffer.concat([Buffer.from([index, bytes.length]), bytes]); // without indexing
  };
  return Buffer.concat([Buffer.from([0x82, secure ? 0x87 : 0x86]), literal(4, path), literal(1, 'fixture')]);
}

/** Connects to 127.0.0.1:port, over TLS with ALPN h2 when `secure`, and sends the preface. */
export async function connectRawHttp2(port: number, secure = false): Promise<RawHttp2Client> {
  const socket = secure
    ? connectTls({ port, host: '127.0.0.1', ALPNProtocols: ['h2'], rejectUnauthorized: false })
    : connectTcp(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once(secure ? 'secureConnect' : 'connect', () => resolve());
    socket.once('error', reject);
  });
  socket.on('error', () => {});
  const streams = new Map<number, { stream: RawStream; done: (stream: RawStream) => void }>();
  const goaways: RawGoaway[] = [];
  const goawayWaiters: ((goaway: RawGoaway) => void)[] = [];
  let nextId = 1;
  let buffered = Buffer.alloc(0);
  socket.write(Buffer.concat([PREFACE, frame(SETTINGS, 0, 0, Buffer.alloc(0))]));
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 9) {
      const length = buffered.readUIntBE(0, 3);
      if (buffered.length < 9 + length) break;
      const type = buffered[3];
      const flags = buffered[4] ?? 0;
      const streamId = buffered.readUInt32BE(5) & 0x7fffffff;
      const payload = buffered.subarray(9, 9 + length);
      buffered = buffered.subarray(9 + length);
      if (type === SETTINGS && (flags & ACK) === 0) socket.write(frame(SETTINGS, ACK, 0, Buffer.alloc(0)));
      if (type === PING && (flags & ACK) === 0) socket.write(frame(PING, ACK, 0, payload));
      if (type === GOAWAY) {
        const goaway = {
          lastStreamId: payload.readUInt32BE(0) & 0x7fffffff,
          code: payload.readUInt32BE(4),
          atMs: performance.now(),
        };
        goaways.push(goaway);
        for (const resolve of goawayWaiters.splice(0)) resolve(goaway);
      }
      const open = streams.get(streamId);
      if (open === undefined) continue;
      if (type === HEADERS) open.stream.headers = true;
      if (type === DATA) open.stream.body += payload.toString('utf8');
      if (type === RST_STREAM) open.stream.reset = payload.readUInt32BE(0);
      if (type === RST_STREAM || ((type === DATA || type === HEADERS) && (flags & END_STREAM) !== 0)) {
        open.stream.ended = type !== RST_STREAM;
        streams.delete(streamId);
        open.done(open.stream);
      }
    }
  });
  return {
    goaways,
    request(path) {
      const id = nextId;
      nextId += 2;
      return new Promise((done) => {
        streams.set(id, { stream: { id, headers: false, body: '', ended: false }, done });
        socket.write(frame(HEADERS, END_STREAM | END_HEADERS, id, requestHeaders(path, secure)));
      });
    },
    goaway() {
      const known = goaways[0];
      if (known !== undefined) return Promise.resolve(known);
      return new Promise((resolve) => goawayWaiters.push(resolve));
    },
    destroy() {
      socket.destroy();
    },
  };
}
