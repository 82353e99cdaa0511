import { describe, expect, it } from 'vitest';
import { readIngressLogs, summarizeIngress, tryFailureOf } from './nginx-log.js';

// Lines as nginx 1.22 writes them (from a drill run).
const ERRORS = [
  '2026/12/07 23:28:51 [notice] 18301#18301: start worker process 18303',
  '2026/12/07 23:28:54 [error] 18303#18303: *7 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: , request: "GET / HTTP/1.1", upstream: "http://10.231.0.3:8080/", host: "127.0.0.1:18080"',
  '2026/12/07 23:28:55 [error] 18304#18304: *9 upstream prematurely closed connection while reading response header from upstream, client: 127.0.0.1, server: , request: "POST / HTTP/1.1", upstream: "http://10.231.0.4:8080/", host: "127.0.0.1:18080"',
  '2026/12/07 23:28:56 [error] 18304#18304: *11 connect() failed (113: No route to host) while connecting to upstream, client: 127.0.0.1, server: , request: "GET / HTTP/1.1", upstream: "http://10.231.0.5:8080/", host: "127.0.0.1:18080"',
  '2026/12/07 23:28:57 [error] 18304#18304: *11 upstream timed out (110: Connection timed out) while connecting to upstream, client: 127.0.0.1, server: , request: "GET / HTTP/1.1", upstream: "http://10.231.0.5:8080/", host: "127.0.0.1:18080"',
].join('\n');
const line = (fields: Record<string, unknown>) =>
  JSON.stringify({ msec: 1, upstreamAddr: '', upstreamStatus: '', request: '', ...fields });
const ACCESS = [
  line({
    connection: 7,
    method: 'GET',
    status: 200,
    upstreamAddr: '10.231.0.3:8080, 10.231.0.4:8080',
    upstreamStatus: '502, 200',
    request: '1',
  }),
  line({
    connection: 7,
    method: 'GET',
    status: 200,
    upstreamAddr: '10.231.0.4:8080',
    upstreamStatus: '200',
    request: '2',
  }),
  line({
    connection: 9,
    method: 'POST',
    status: 502,
    upstreamAddr: '10.231.0.4:8080',
    upstreamStatus: '502',
    request: '3',
  }),
  line({
    connection: 11,
    method: 'GET',
    status: 200,
    upstreamAddr: '10.231.0.5:8080, 10.231.0.5:8080, 10.231.0.3:8080',
    upstreamStatus: '502, 504, 200',
    request: '4',
  }),
  line({ connection: 12, method: 'GET', status: 503, request: '5' }),
].join('\n');

describe("nginx's logs", () => {
  it('names the cause of a failed try', () => {
    expect(ERRORS.split('\n').map(tryFailureOf)).toEqual([
      undefined,
      'refused',
      'stale-keep-alive',
      'unreachable',
      'connect-timeout',
    ]);
  });

  it("gives each request its tries and, from the error log, each failed try's cause", () => {
    const requests = readIngressLogs(ACCESS, ERRORS);
    expect(requests.map((request) => [request.request, request.tries.length, request.failures])).toEqual([
      [1, 2, ['refused']],
      [2, 1, []],
      [3, 1, ['stale-keep-alive']],
      [4, 3, ['unreachable', 'connect-timeout']],
      [5, 0, ['no-endpoint']],
    ]);
    expect(requests[0]?.tries).toEqual([
      { address: '10.231.0.3:8080', status: '502' },
      { address: '10.231.0.4:8080', status: '200' },
    ]);
  });

  it('counts what nginx hid (a 200 after a failed try) apart from what it answered 502–504', () => {
    expect(summarizeIngress(readIngressLogs(ACCESS, ERRORS))).toMatchObject({
      masked: 2,
      maskedByCause: { refused: 1, unreachable: 1, 'connect-timeout': 1, 'stale-keep-alive': 0 },
      proxyFailed: 2,
      proxyFailedByCause: { 'stale-keep-alive': 1, 'no-endpoint': 1 },
      proxyFailedPosts: 1,
    });
  });
});
