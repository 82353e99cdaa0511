import { describe, expect, it } from 'vitest';
import { listenAddress } from './listen-address.js';

describe('listenAddress', () => {
  it('PORT, else 8080, on every interface; an IPv6 host in brackets', () => {
    expect(listenAddress({}, {})).toEqual({ host: '::', port: 8080, target: '[::]:8080' });
    expect(listenAddress({}, { PORT: '50051' }).target).toBe('[::]:50051');
    expect(listenAddress({ port: 0, host: '127.0.0.1' }, { PORT: '1' }).target).toBe('127.0.0.1:0');
    expect(listenAddress({ port: 1, host: 'localhost' }, {}).target).toBe('localhost:1');
  });

  it('refuses a bad port, a bad PORT and an empty host in one line each', () => {
    expect(() => listenAddress({ port: -1 }, {})).toThrow(
      'port must be an integer from 0 to 65535, got number -1',
    );
    expect(() => listenAddress({}, { PORT: 'http' })).toThrow(
      'PORT must be an integer from 0 to 65535, got "http"',
    );
    expect(() => listenAddress({ host: '' }, {})).toThrow(/^host must be a host name or address/);
  });
});
