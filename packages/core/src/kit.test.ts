import { describe, expect, it } from 'vitest';
import { LameduckConfigError } from './errors.js';
import { extendLifecycle, isProbePath, respondToFetch, respondToProbe } from './kit.js';
import { createLameduck } from './lameduck.js';

const ready = () => {
  const lameduck = createLameduck({ logger: false });
  lameduck.check('db', async () => {});
  lameduck.ready();
  return lameduck;
};

describe('respondToFetch', () => {
  it('answers a probe Request with a Response: status, headers and body as respondToProbe gives them', async () => {
    const lameduck = ready();
    const response = await respondToFetch(lameduck, new Request('http://pod:8080/readyz?verbose'));
    const expected = await respondToProbe(lameduck, { method: 'GET', path: '/readyz?verbose' });
    expect(response).toBeInstanceOf(Response);
    expect(response?.status).toBe(200);
    expect(response?.headers.get('content-type')).toBe(new Headers(expected?.headers).get('content-type'));
    expect(await response?.text()).toBe(expected?.body);
  });

  it('returns undefined synchronously for any other request', () => {
    expect(respondToFetch(ready(), new Request('http://pod/api/orders'))).toBeUndefined();
    expect(respondToFetch(ready(), new Request('http://pod/readyzz'))).toBeUndefined();
  });

  it('answers 503 while draining, and HEAD with no body', async () => {
    const lameduck = ready();
    lameduck.drain('test');
    const response = await respondToFetch(lameduck, new Request('http://pod/readyz', { method: 'HEAD' }));
    expect(response?.status).toBe(503);
    expect(await response?.text()).toBe('');
  });

  it('matches the raw target when given one, not the parsed URL', async () => {
    // The URL parser resolved the dot segments: request.url says /livez.
    const request = new Request('http://pod/readyz/%2e%2e/livez');
    expect(new URL(request.url).pathname).toBe('/livez');
    const response = await respondToFetch(ready(), request, '/readyz/%2e%2e/livez');
    expect(response?.status).toBe(404);
  });

  it('treats an object that is not a readable Request as no probe, without throwing', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('revoked');
        },
      },
    );
    expect(respondToFetch(ready(), hostile as Request)).toBeUndefined();
  });
});

describe('the kit refuses what is not a lifecycle', () => {
  it.each([
    ['respondToProbe', () => respondToProbe({}, { method: 'GET', path: '/readyz' })],
    ['isProbePath', () => isProbePath(null as never, '/readyz')],
    ['respondToFetch', () => respondToFetch({ paths: {} }, new Request('http://pod/readyz'))],
    ['extendLifecycle', () => extendLifecycle({}, {})],
  ])('%s names its first argument', (name, call) => {
    expect(call).toThrow(LameduckConfigError);
    expect(call).toThrow(`${name}() needs the lifecycle that createLameduck() returns as its first argument`);
  });
});

describe('extendLifecycle', () => {
  it('adds members to the same object and keeps getters live', () => {
    const lameduck = createLameduck({ logger: false });
    let count = 0;
    const extended = extendLifecycle(lameduck, {
      hello: () => 'hi',
      get count() {
        return count;
      },
    });
    expect(extended).toBe(lameduck);
    expect(extended.hello()).toBe('hi');
    count = 3;
    expect(extended.count).toBe(3);
    // The model's members stay, and chain on the same object.
    expect(extended.check('db', async () => {})).toBe(extended);
  });
});
