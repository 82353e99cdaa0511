import { describe, expect, it } from 'vitest';
import {
  decodeHealthCheckRequest,
  decodeHealthCheckResponse,
  encodeHealthCheckRequest,
  encodeHealthCheckResponse,
  MAX_SERVICE_NAME_BYTES,
} from './health-codec.js';

describe('the grpc.health.v1 messages', () => {
  it('round-trips a request, the empty name as no bytes at all (proto3)', () => {
    expect(encodeHealthCheckRequest({ service: '' })).toHaveLength(0);
    expect(decodeHealthCheckRequest(new Uint8Array())).toEqual({ service: '' });
    const bytes = encodeHealthCheckRequest({ service: 'helloworld.Greeter' });
    expect([...bytes.subarray(0, 2)]).toEqual([0x0a, 18]); // field 1, length-delimited; 18 bytes
    expect(decodeHealthCheckRequest(bytes)).toEqual({ service: 'helloworld.Greeter' });
    const long = 'x'.repeat(300); // a two-byte length
    expect(decodeHealthCheckRequest(encodeHealthCheckRequest({ service: long }))).toEqual({ service: long });
  });

  it('encodes each status as field 1, a varint; UNKNOWN as nothing', () => {
    expect([...encodeHealthCheckResponse({ status: 'SERVING' })]).toEqual([0x08, 1]);
    expect([...encodeHealthCheckResponse({ status: 'NOT_SERVING' })]).toEqual([0x08, 2]);
    expect([...encodeHealthCheckResponse({ status: 'SERVICE_UNKNOWN' })]).toEqual([0x08, 3]);
    expect(encodeHealthCheckResponse({ status: 'UNKNOWN' })).toHaveLength(0);
    expect(decodeHealthCheckResponse(Buffer.from([0x08, 2]))).toEqual({ status: 'NOT_SERVING' });
    expect(decodeHealthCheckResponse(Buffer.from([0x08, 9]))).toEqual({ status: 'UNKNOWN' });
  });

  it('skips fields it does not know, of every wire type', () => {
    const name = encodeHealthCheckRequest({ service: 'a.B' });
    const unknown = Buffer.from([
      (2 << 3) | 0,
      0x96,
      0x01, // field 2, varint 150
      (3 << 3) | 1,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8, // field 3, fixed64
      (4 << 3) | 2,
      2,
      0xff,
      0xff, // field 4, 2 bytes
      (5 << 3) | 5,
      1,
      2,
      3,
      4, // field 5, fixed32
    ]);
    expect(decodeHealthCheckRequest(Buffer.concat([unknown, name]))).toEqual({ service: 'a.B' });
  });

  it('refuses what is not a message: truncated, a bad wire type, field 0, invalid UTF-8, a huge name', () => {
    expect(() => decodeHealthCheckRequest(Buffer.from([0x0a, 5, 0x61]))).toThrow(/runs past the end/);
    expect(() => decodeHealthCheckRequest(Buffer.from([0x0a, 0x80]))).toThrow(/truncated varint/);
    expect(() => decodeHealthCheckRequest(Buffer.from([(1 << 3) | 3]))).toThrow(/wire type 3/);
    expect(() => decodeHealthCheckRequest(Buffer.from([0x02, 0]))).toThrow(/field number 0/);
    expect(() => decodeHealthCheckRequest(Buffer.from([0x0a, 1, 0xff]))).toThrow();
    const huge = encodeHealthCheckRequest({ service: 'x'.repeat(MAX_SERVICE_NAME_BYTES + 1) });
    expect(() => decodeHealthCheckRequest(huge)).toThrow(/longer than 1024 bytes/);
  });
});
