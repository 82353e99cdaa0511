import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  keepAliveFor,
  keepAliveTimeoutOption,
  MAX_KEEP_ALIVE_TIMEOUT_MS,
} from './keep-alive.js';

describe('keepAliveTimeoutOption', () => {
  it.each([0, 1000, 65_000, MAX_KEEP_ALIVE_TIMEOUT_MS])('accepts %d', (value) => {
    expect(keepAliveTimeoutOption('keepAliveTimeoutMs', value)).toBe(value);
  });

  it.each([
    [
      999,
      /keepAliveTimeoutMs must be 0 \(never close idle connections\) or 1000 to 2147482647 ms, got 999; set it above the idle timeout of the proxy in front/,
    ],
    [-1, /got -1;/],
    [MAX_KEEP_ALIVE_TIMEOUT_MS + 1, /got 2147482648;/],
    [
      1.5,
      /must be a whole number of milliseconds, 0 .* got number 1\.5; for example keepAliveTimeoutMs: 65000/,
    ],
    ['65000', /got the string "65000"/],
  ])('refuses %o in one line naming the value and the range', (value, message) => {
    expect(() => keepAliveTimeoutOption('keepAliveTimeoutMs', value)).toThrow(message);
  });
});

describe('keepAliveFor', () => {
  const byDefault = { keepAliveTimeoutMs: DEFAULT_KEEP_ALIVE_TIMEOUT_MS, source: 'default' } as const;

  it("raises Node's 5 s", () => {
    expect(keepAliveFor(byDefault, 5000)).toEqual(byDefault);
  });

  it("keeps a framework's longer timeout (Fastify's 72 s) and 0 (never) when the user set nothing", () => {
    expect(keepAliveFor(byDefault, 72_000)).toEqual({ keepAliveTimeoutMs: 72_000, source: 'server' });
    expect(keepAliveFor(byDefault, 0)).toEqual({ keepAliveTimeoutMs: 0, source: 'server' });
  });

  it('applies the default where the server has none (Node 20, HTTP/2 with allowHTTP1)', () => {
    expect(keepAliveFor(byDefault, undefined)).toEqual(byDefault);
  });

  it("applies what the user set as it is, lower than the server's too", () => {
    const set = { keepAliveTimeoutMs: 30_000, source: 'environment' } as const;
    expect(keepAliveFor(set, 72_000)).toEqual(set);
    expect(keepAliveFor({ keepAliveTimeoutMs: 0, source: 'option' }, 5000)).toEqual({
      keepAliveTimeoutMs: 0,
      source: 'option',
    });
  });
});
