// The two messages of grpc.health.v1 (health.proto), encoded by hand: a message of one field
// each does not justify a protobuf runtime or generated code.
//
//   message HealthCheckRequest { string service = 1; }
//   message HealthCheckResponse { ServingStatus status = 1; }
//   enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }

/** `HealthCheckResponse.ServingStatus` as its wire numbers. */
export const SERVING_STATUS = {
  UNKNOWN: 0,
  SERVING: 1,
  NOT_SERVING: 2,
  /** Watch only: the service name is not known (yet). */
  SERVICE_UNKNOWN: 3,
} as const;

export type ServingStatus = keyof typeof SERVING_STATUS;

export interface HealthCheckRequest {
  readonly service: string;
}

export interface HealthCheckResponse {
  readonly status: ServingStatus;
}

/**
 * The longest service name read. A fully qualified gRPC service name is far shorter; a longer
 * one is refused rather than decoded (the request is the client's, and may be anything).
 */
export const MAX_SERVICE_NAME_BYTES = 1024;

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/**
 * Decodes a HealthCheckRequest. Unknown fields are skipped, as protobuf requires; the last
 * `service` field wins, as protobuf's merge rule says. Throws on bytes that are not a valid
 * message (grpc-js then answers INTERNAL).
 */
export function decodeHealthCheckRequest(bytes: Uint8Array): HealthCheckRequest {
  let service = '';
  let offset = 0;
  while (offset < bytes.length) {
    const [key, afterKey] = readVarint(bytes, offset);
    const field = Math.floor(key / 8);
    const wireType = key % 8;
    offset = afterKey;
    if (field === 0) throw new Error('invalid HealthCheckRequest: field number 0');
    if (wireType === WIRE_VARINT) {
      offset = readVarint(bytes, offset)[1];
    } else if (wireType === WIRE_FIXED64) {
      offset = skip(bytes, offset, 8);
    } else if (wireType === WIRE_FIXED32) {
      offset = skip(bytes, offset, 4);
    } else if (wireType === WIRE_LENGTH_DELIMITED) {
      const [length, start] = readVarint(bytes, offset);
      const end = skip(bytes, start, length);
      if (field === 1) {
        if (length > MAX_SERVICE_NAME_BYTES) {
          throw new Error(
            `invalid HealthCheckRequest: service name longer than ${MAX_SERVICE_NAME_BYTES} bytes`,
          );
        }
        service = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, end));
      }
      offset = end;
    } else {
      throw new Error(`invalid HealthCheckRequest: wire type ${wireType}`);
    }
  }
  return { service };
}

/** Encodes a HealthCheckRequest (for clients and tests). */
export function encodeHealthCheckRequest(request: HealthCheckRequest): Buffer {
  const name = Buffer.from(request.service, 'utf8');
  if (name.length === 0) return Buffer.alloc(0); // proto3 leaves a default value out
  return Buffer.concat([Buffer.from([(1 << 3) | WIRE_LENGTH_DELIMITED]), varint(name.length), name]);
}

/** Encodes a HealthCheckResponse: field 1, a varint; UNKNOWN (0), the default, is left out. */
export function encodeHealthCheckResponse(response: HealthCheckResponse): Buffer {
  const status = SERVING_STATUS[response.status];
  return status === 0 ? Buffer.alloc(0) : Buffer.from([(1 << 3) | WIRE_VARINT, status]);
}

/** Decodes a HealthCheckResponse (for clients and tests); an enum value it does not know reads as UNKNOWN. */
export function decodeHealthCheckResponse(bytes: Uint8Array): HealthCheckResponse {
  let status: ServingStatus = 'UNKNOWN';
  let offset = 0;
  while (offset < bytes.length) {
    const [key, afterKey] = readVarint(bytes, offset);
    offset = afterKey;
    const wireType = key % 8;
    if (wireType === WIRE_VARINT) {
      const [value, next] = readVarint(bytes, offset);
      if (Math.floor(key / 8) === 1) status = statusNamed(value);
      offset = next;
    } else if (wireType === WIRE_LENGTH_DELIMITED) {
      const [length, start] = readVarint(bytes, offset);
      offset = skip(bytes, start, length);
    } else if (wireType === WIRE_FIXED64) {
      offset = skip(bytes, offset, 8);
    } else if (wireType === WIRE_FIXED32) {
      offset = skip(bytes, offset, 4);
    } else {
      throw new Error(`invalid HealthCheckResponse: wire type ${wireType}`);
    }
  }
  return { status };
}

function statusNamed(value: number): ServingStatus {
  for (const [name, number] of Object.entries(SERVING_STATUS))
    if (number === value) return name as ServingStatus;
  return 'UNKNOWN';
}

/** Reads a base-128 varint of up to 10 bytes; returns its value (exact up to 2^53) and the next offset. */
function readVarint(bytes: Uint8Array, offset: number): [number, number] {
  let value = 0;
  let scale = 1;
  for (let index = offset; index < bytes.length && index < offset + 10; index += 1) {
    const byte = bytes[index] as number;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if (byte < 0x80) return [value, index + 1];
  }
  throw new Error('invalid health message: truncated varint');
}

function skip(bytes: Uint8Array, offset: number, length: number): number {
  const end = offset + length;
  if (end > bytes.length) throw new Error('invalid health message: field runs past the end');
  return end;
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}
