import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from './checks.js';
import { formatJson, formatText } from './format.js';
import { isProbePath, respondToProbe } from './kit.js';
import { createLameduck, type LameduckOptions } from './lameduck.js';
import { DEFAULT_PROBE_PATHS } from './paths.js';
import type { ProbeReport } from './probe.js';
import {
  acceptsHealthJson,
  answerProbe,
  mayBeProbe,
  type ProbeRequest,
  type ProbeResponse,
  pathStart,
  type ResponderContext,
  utf8Length,
} from './respond.js';

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 678);

/** A lifecycle with a fixed clock and no logging; the bodies pinned here are the full ones (probe-detail.test.ts has the levels). */
function service(options: LameduckOptions = {}) {
  return createLameduck({ logger: false, now: () => T0, probeDetail: 'full', ...options });
}

type Service = ReturnType<typeof service>;

async function request(
  lameduck: Service,
  path: string,
  init: Omit<ProbeRequest, 'path' | 'method'> & { method?: string } = {},
): Promise<ProbeResponse> {
  const pending = respondToProbe(lameduck, { method: 'GET', ...init, path });
  expect(pending, `${path} should be answered as a probe`).toBeInstanceOf(Promise);
  return pending!;
}

function readyService(options: LameduckOptions = {}) {
  const lameduck = service(options);
  lameduck.check('db', async () => {});
  lameduck.ready();
  return lameduck;
}

const TEXT_HEADERS = {
  'Content-Type': 'text/plain; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

/** The headers of a probe answer whose format follows Accept, for this body. */
const answerHeaders = (body: string, type = TEXT_HEADERS['Content-Type']) => ({
  ...TEXT_HEADERS,
  'Content-Type': type,
  'Content-Length': String(Buffer.byteLength(body)),
  Vary: 'Accept',
});

/** The headers of an error answer (404, 500, ...), for this body. */
const errorHeaders = (body: string) => ({
  ...TEXT_HEADERS,
  'Content-Length': String(Buffer.byteLength(body)),
});

const JSON_ACCEPT = { headers: { accept: 'application/health+json' } };

/** A check that fails with this message. */
const failWith = (message: string) => async () => {
  throw new Error(message);
};

describe('routing', () => {
  it.each(['/', '/readyzz', '/api/readyz', '/livez2', '/READYZ', '/health/readyz', '', '/favicon.ico'])(
    'returns undefined synchronously for the non-probe path %j',
    (path) => {
      const lameduck = readyService();
      expect(respondToProbe(lameduck, { method: 'GET', path })).toBeUndefined();
    },
  );

  it('returns undefined for a non-probe path whatever the method', () => {
    expect(respondToProbe(readyService(), { method: 'POST', path: '/api/orders' })).toBeUndefined();
  });

  it('returns undefined for a long path that is not a probe path', () => {
    expect(
      respondToProbe(readyService(), { method: 'GET', path: `/api/${'x'.repeat(100_000)}` }),
    ).toBeUndefined();
  });

  it('returns undefined when the path is not a string at run time', () => {
    const lameduck = readyService();
    expect(respondToProbe(lameduck, { method: 'GET', path: undefined as unknown as string })).toBeUndefined();
  });

  it.each(['/livez', '/readyz', '/startupz'])('answers %s', async (path) => {
    expect((await request(readyService(), path)).status).toBe(200);
  });

  it('answers a path with a trailing slash', async () => {
    const response = await request(readyService(), '/readyz/');
    expect(response).toEqual({ status: 200, headers: answerHeaders('ok\n'), body: 'ok\n' });
  });

  it('reads a query passed inside the path', async () => {
    const response = await request(readyService(), '/readyz?verbose');
    expect(response.body).toBe('[+]lifecycle ready\n[+]db ok\nreadiness check passed\n');
  });

  it.each(['verbose', '?verbose'])('reads a query passed separately as %j', async (query) => {
    const response = await request(readyService(), '/readyz', { query });
    expect(response.body).toContain('[+]db ok');
  });

  it('answers custom paths, and no longer the default ones', async () => {
    const lameduck = readyService({ paths: { readiness: '/ready', liveness: '/alive' } });
    expect((await request(lameduck, '/ready')).status).toBe(200);
    expect((await request(lameduck, '/alive')).status).toBe(200);
    expect(respondToProbe(lameduck, { method: 'GET', path: '/readyz' })).toBeUndefined();
    expect((await request(lameduck, '/startupz')).status).toBe(200);
  });

  it('answers under a prefix, and no longer at the root', async () => {
    const lameduck = readyService({ prefix: '/health' });
    expect((await request(lameduck, '/health/readyz')).status).toBe(200);
    expect((await request(lameduck, '/health/readyz/db')).status).toBe(200);
    expect(respondToProbe(lameduck, { method: 'GET', path: '/readyz' })).toBeUndefined();
  });
});

describe('text bodies', () => {
  it('answers 200 ok with plain-text headers when ready', async () => {
    expect(await request(readyService(), '/readyz')).toEqual({
      status: 200,
      headers: answerHeaders('ok\n'),
      body: 'ok\n',
    });
  });

  it('answers 503 with the reason while starting', async () => {
    const lameduck = service();
    const response = await request(lameduck, '/readyz');
    expect(response.status).toBe(503);
    expect(response.body).toBe(
      '[-]lifecycle starting: ready() has not been called yet\nreadiness check failed\n',
    );
  });

  it('lists one line per check with ?verbose, and withholds reasons', async () => {
    const lameduck = service();
    lameduck.check('api', async () => {});
    lameduck.check('db', failWith('password authentication failed for user "admin"'));
    lameduck.check('cache', failWith('redis at 10.0.0.7 refused'), { critical: false });
    lameduck.ready();
    const response = await request(lameduck, '/readyz?verbose');
    expect(response.status).toBe(503);
    expect(response.body).toBe(
      [
        '[+]lifecycle ready',
        '[+]api ok',
        '[-]db failed: reason withheld',
        '[!]cache warn: reason withheld',
        'readiness check failed',
        '',
      ].join('\n'),
    );
  });

  it('lists the checks on a failure even without ?verbose', async () => {
    const lameduck = service();
    lameduck.check('db', failWith('down'));
    lameduck.ready();
    expect((await request(lameduck, '/readyz')).body).toBe(
      '[+]lifecycle ready\n[-]db failed: reason withheld\nreadiness check failed\n',
    );
  });

  it('answers 200 ok when only a non-critical check fails, and says so with ?verbose', async () => {
    const lameduck = service();
    lameduck.check('cache', failWith('cold'), { critical: false });
    lameduck.ready();
    expect(await request(lameduck, '/readyz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect((await request(lameduck, '/readyz?verbose')).body).toBe(
      '[+]lifecycle ready\n[!]cache warn: reason withheld\nreadiness check passed with warnings\n',
    );
  });

  it('has no lifecycle line in a liveness body', async () => {
    const lameduck = service();
    lameduck.check('loop', async () => {}, { kind: 'liveness' });
    expect((await request(lameduck, '/livez?verbose')).body).toBe('[+]loop ok\nliveness check passed\n');
  });

  it('shows the error message when details are exposed', async () => {
    const lameduck = service({ exposeDetails: true });
    lameduck.check('db', failWith('connect ECONNREFUSED 10.0.0.5:5432'));
    lameduck.ready();
    expect((await request(lameduck, '/readyz')).body).toContain(
      '[-]db failed: connect ECONNREFUSED 10.0.0.5:5432\n',
    );
  });

  it('keeps an exposed message on one line, so it cannot forge a passing line', async () => {
    const lameduck = service({ exposeDetails: true });
    lameduck.check('db', failWith('down\r\n[+]db ok\r\nreadiness check passed'));
    lameduck.ready();
    const lines = (await request(lameduck, '/readyz')).body.split(/\r?\n|\r/);
    expect(lines).toEqual([
      '[+]lifecycle ready',
      '[-]db failed: down [+]db ok readiness check passed',
      'readiness check failed',
      '',
    ]);
  });

  it('never puts an error message in a body unless details are exposed', async () => {
    const lameduck = service();
    lameduck.check('db', failWith('secret-host.internal'));
    lameduck.ready();
    for (const path of ['/readyz', '/readyz?verbose', '/readyz?format=json', '/readyz/db?format=json']) {
      expect((await request(lameduck, path)).body).not.toContain('secret-host');
    }
  });

  it('leaves out every excluded check, repeatably', async () => {
    const lameduck = service();
    lameduck.check('db', async () => {});
    lameduck.check('a', failWith('a'));
    lameduck.check('b', failWith('b'));
    lameduck.ready();
    const response = await request(lameduck, '/readyz?verbose&exclude=a&exclude=b&exclude=');
    expect(response.status).toBe(200);
    expect(response.body).toBe('[+]lifecycle ready\n[+]db ok\nreadiness check passed\n');
  });

  it('warns about an exclude that matches no check, without failing', async () => {
    const response = await request(readyService(), '/readyz?verbose&exclude=nope');
    expect(response.status).toBe(200);
    expect(response.body).toContain('warn: cannot exclude "nope": no readiness check by that name\n');
  });

  it('keeps a hostile exclude name on one line', async () => {
    const response = await request(readyService(), '/readyz?verbose&exclude=x%0A%5B%2B%5Dfake%20ok');
    expect(response.body.split('\n')).not.toContain('[+]fake ok');
  });
});

describe('JSON bodies', () => {
  it('answers application/health+json when asked', async () => {
    const response = await request(readyService(), '/readyz', JSON_ACCEPT);
    expect(response.status).toBe(200);
    expect(response.headers).toEqual(answerHeaders(response.body, 'application/health+json'));
    expect(JSON.parse(response.body)).toMatchObject({ status: 'pass' });
  });

  it.each([
    'application/health+json',
    'APPLICATION/HEALTH+JSON',
    'application/json',
    'text/html;q=0.9, application/health+json;q=0.8',
    'text/plain;q=0.5, application/json',
    'application/*',
    '*/*;q=0.1, application/health+json',
    'text/*, application/health+json',
    'application/health+json, text/plain',
    'text/plain;q=0, */*',
    'application/health+json, */*',
    'application/health+json;q=0.5, text/*;q=0.5',
    'application/health+json; charset=utf-8',
    ' application/health+json ;q=1 ',
  ])('answers JSON for Accept: %s', async (accept) => {
    const response = await request(readyService(), '/readyz', { headers: { accept } });
    expect(response.headers['Content-Type']).toBe('application/health+json');
  });

  it.each([
    'application/json; q=0',
    'application/health+json;q=0.0',
    'application/json;q=abc',
    'text/plain',
    'text/plain, application/health+json;q=0.1',
    'text/plain, application/json; q=0.5',
    'text/plain, application/health+json',
    'application/health+json;q=1.5',
    'image/png',
  ])('keeps text for Accept: %s', async (accept) => {
    const response = await request(readyService(), '/readyz', { headers: { accept } });
    expect(response.headers['Content-Type']).toBe('text/plain; charset=utf-8');
    expect(response.body).toBe('ok\n');
  });

  it('answers JSON for ?format=json whatever the Accept header', async () => {
    const response = await request(readyService(), '/readyz?format=json', {
      headers: { accept: 'text/plain' },
    });
    expect(response.headers['Content-Type']).toBe('application/health+json');
  });

  it('answers text for ?format=text even when JSON is accepted', async () => {
    const response = await request(readyService(), '/readyz?format=text', JSON_ACCEPT);
    expect(response.body).toBe('ok\n');
  });

  it('reads the Accept header from a fetch Headers object', async () => {
    const headers = new Headers({ Accept: 'application/health+json' });
    const response = await request(readyService(), '/readyz', { headers });
    expect(response.headers['Content-Type']).toBe('application/health+json');
  });

  it('reads an Accept header given as an array of values', async () => {
    const response = await request(readyService(), '/readyz', {
      headers: { accept: ['text/plain;q=0.1', 'application/health+json'] },
    });
    expect(response.headers['Content-Type']).toBe('application/health+json');
  });

  it('has the IETF health-check shape: status, and checks keyed by name', async () => {
    const lameduck = service();
    lameduck.check('db', async () => {});
    lameduck.check('queue', failWith('broker gone'));
    lameduck.check('cache', failWith('cold'), { critical: false });
    lameduck.ready();
    const response = await request(lameduck, '/readyz?format=json');
    expect(response.status).toBe(503);
    const time = new Date(T0).toISOString();
    expect(JSON.parse(response.body)).toEqual({
      status: 'fail',
      description: 'readiness probe',
      state: 'ready',
      checks: {
        db: [
          {
            componentId: 'db',
            status: 'pass',
            time,
            durationMs: 0,
            observedValue: 0,
            observedUnit: 'ms',
            critical: true,
            cached: false,
          },
        ],
        queue: [
          {
            componentId: 'queue',
            status: 'fail',
            time,
            durationMs: 0,
            observedValue: 0,
            observedUnit: 'ms',
            critical: true,
            cached: false,
            output: 'reason withheld',
          },
        ],
        cache: [
          {
            componentId: 'cache',
            status: 'warn',
            time,
            durationMs: 0,
            observedValue: 0,
            observedUnit: 'ms',
            critical: false,
            cached: false,
            output: 'reason withheld',
          },
        ],
      },
    });
  });

  it('reports warn with 200 when only a non-critical check fails', async () => {
    const lameduck = service();
    lameduck.check('cache', failWith('cold'), { critical: false });
    lameduck.ready();
    const response = await request(lameduck, '/readyz', JSON_ACCEPT);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body).status).toBe('warn');
  });

  it('gives each check an ISO time and a duration with the real clock', async () => {
    const lameduck = createLameduck({ logger: false, probeDetail: 'full' });
    lameduck.check('db', async () => {});
    lameduck.ready();
    const body = JSON.parse((await request(lameduck, '/readyz', JSON_ACCEPT)).body);
    const [db] = body.checks.db;
    expect(db.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Math.abs(Date.parse(db.time) - Date.now())).toBeLessThan(10_000);
    expect(typeof db.durationMs).toBe('number');
  });

  it('shows error messages and details when details are exposed', async () => {
    const lameduck = service({ exposeDetails: true });
    lameduck.check('db', async () => ({ pool: 4 }));
    lameduck.check('queue', failWith('broker\ngone'));
    lameduck.ready();
    const body = JSON.parse((await request(lameduck, '/readyz', JSON_ACCEPT)).body);
    expect(body.checks.db[0].details).toEqual({ pool: 4 });
    expect(body.checks.queue[0].output).toBe('broker gone');
  });

  it('withholds check details unless details are exposed', async () => {
    const lameduck = service();
    lameduck.check('db', async () => ({ host: 'secret-host.internal' }));
    lameduck.ready();
    const response = await request(lameduck, '/readyz', JSON_ACCEPT);
    expect(response.body).not.toContain('secret-host');
    expect(JSON.parse(response.body).checks.db[0].details).toBeUndefined();
  });

  it('says why the state fails the probe while draining', async () => {
    const lameduck = readyService();
    lameduck.drain();
    const response = await request(lameduck, '/readyz', JSON_ACCEPT);
    expect(response.status).toBe(503);
    expect(JSON.parse(response.body)).toEqual({
      status: 'fail',
      description: 'readiness probe',
      state: 'draining',
      output: 'draining: shutting down',
      checks: {},
    });
  });

  it('notes excludes that match no check', async () => {
    const response = await request(readyService(), '/readyz?format=json&exclude=nope');
    expect(JSON.parse(response.body).notes).toEqual([
      'cannot exclude "nope": no readiness check by that name',
    ]);
  });
});

describe('HEAD', () => {
  it('answers with the same status and headers as GET, and an empty body', async () => {
    const lameduck = readyService();
    const get = await request(lameduck, '/readyz');
    const head = await request(lameduck, '/readyz', { method: 'HEAD' });
    expect(head).toEqual({ status: get.status, headers: get.headers, body: '' });
  });

  it('answers 503 with an empty body when the probe fails', async () => {
    const head = await request(service(), '/readyz', { method: 'HEAD' });
    expect(head).toMatchObject({ status: 503, body: '' });
  });

  it('keeps the JSON content type for a JSON HEAD', async () => {
    const head = await request(readyService(), '/readyz', { method: 'HEAD', ...JSON_ACCEPT });
    expect(head.headers['Content-Type']).toBe('application/health+json');
    expect(head.body).toBe('');
  });

  it('has an empty body for an error status too', async () => {
    const head = await request(readyService(), '/readyz/unknown', { method: 'HEAD' });
    expect(head).toMatchObject({ status: 404, body: '' });
  });
});

describe('methods', () => {
  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'get', 'head', ''])(
    'answers %j with 405 and Allow: GET, HEAD',
    async (method) => {
      const response = await request(readyService(), '/readyz', { method });
      expect(response.status).toBe(405);
      expect(response.headers.Allow).toBe('GET, HEAD');
      expect(response.headers['Cache-Control']).toBe('no-store');
    },
  );

  it('does not run any check for a refused method', async () => {
    const lameduck = service();
    let calls = 0;
    lameduck.check('db', async () => {
      calls += 1;
    });
    lameduck.ready();
    await request(lameduck, '/readyz', { method: 'POST' });
    expect(calls).toBe(0);
  });

  it('keeps a hostile method name on one short line', async () => {
    const response = await request(readyService(), '/readyz', { method: 'X\r\nSet-Cookie: a=b' });
    expect(response.status).toBe(405);
    expect(response.body.trimEnd()).not.toContain('\n');
  });
});

describe('one check alone', () => {
  it('answers /readyz/<name> with that check only', async () => {
    const lameduck = service();
    lameduck.check('db', async () => {});
    lameduck.check('queue', failWith('down'));
    lameduck.ready();
    const response = await request(lameduck, '/readyz/db', JSON_ACCEPT);
    expect(response.status).toBe(200);
    expect(Object.keys(JSON.parse(response.body).checks)).toEqual(['db']);
  });

  it('answers 503 when that one check fails', async () => {
    const lameduck = service();
    lameduck.check('queue', failWith('down'));
    lameduck.ready();
    expect((await request(lameduck, '/readyz/queue')).status).toBe(503);
  });

  it('decodes a percent-encoded check name', async () => {
    const response = await request(readyService(), '/readyz/d%62', JSON_ACCEPT);
    expect(Object.keys(JSON.parse(response.body).checks)).toEqual(['db']);
  });

  it('answers /livez/<name> for a liveness check', async () => {
    const lameduck = service();
    lameduck.check('loop', async () => {}, { kind: 'liveness' });
    expect((await request(lameduck, '/livez/loop')).status).toBe(200);
  });

  it('answers 404 for an unknown check, naming it', async () => {
    const response = await request(readyService(), '/readyz/unknown');
    const body = 'no readiness check "unknown"\n';
    expect(response).toEqual({ status: 404, headers: errorHeaders(body), body });
  });

  it('answers 404 for a check of another kind', async () => {
    const response = await request(readyService(), '/livez/db');
    expect(response.status).toBe(404);
    expect(response.body).toBe('no liveness check "db"\n');
  });

  it('answers 404 after the check is removed', async () => {
    const lameduck = readyService();
    lameduck.removeCheck('db');
    expect((await request(lameduck, '/readyz/db')).status).toBe(404);
  });
});

describe('hostile input', () => {
  it.each([
    ['an encoded parent path', '/readyz/%2e%2e%2fadmin'],
    ['encoded parent paths', '/readyz/..%2f..%2fetc'],
    ['a nested path', '/readyz/a/b'],
    ['an empty segment', '/readyz//'],
    ['an encoded newline', '/readyz/db%0d%0a%5b%2b%5dx'],
  ])('answers 404 for %s without echoing it', async (_label, path) => {
    const response = await request(readyService(), path);
    expect(response.status).toBe(404);
    expect(response.body).toBe('no readiness check by that name\n');
  });

  it('answers 400 for malformed percent-encoding', async () => {
    const response = await request(readyService(), '/readyz/%E0%A4%A');
    expect(response.status).toBe(400);
    expect(response.body).toBe('malformed percent-encoding in the check name\n');
  });

  it('answers 414 for a 100 KB query', async () => {
    const response = await request(readyService(), `/readyz?exclude=${'x'.repeat(100_000)}`);
    expect(response.status).toBe(414);
  });

  it('answers 414 for a 100 KB query passed separately', async () => {
    const response = await request(readyService(), '/readyz', { query: `verbose&${'a=b&'.repeat(25_000)}` });
    expect(response.status).toBe(414);
  });

  it('answers 414 for a 100 KB path under /readyz', async () => {
    const response = await request(readyService(), `/readyz/${'a'.repeat(100_000)}`);
    expect(response.status).toBe(414);
  });

  it('does not run checks for a 414', async () => {
    const lameduck = service();
    let calls = 0;
    lameduck.check('db', async () => {
      calls += 1;
    });
    lameduck.ready();
    await request(lameduck, `/readyz?${'v'.repeat(100_000)}`);
    expect(calls).toBe(0);
  });

  it.each([
    ['empty', ''],
    ['*/*', '*/*'],
    ['semicolons', ';;;'],
    ['commas', ',,,'],
    ['10 KB of garbage', 'x;q=,'.repeat(2048)],
    ['10 KB hiding JSON at the end', `${'x,'.repeat(5000)}application/health+json`],
    ['a bad q-value', 'application/health+json;q='],
  ])('answers text 200 for an odd Accept header (%s)', async (_label, accept) => {
    const response = await request(readyService(), '/readyz', { headers: { accept } });
    expect(response).toEqual({ status: 200, headers: answerHeaders('ok\n'), body: 'ok\n' });
  });

  it.each(['xml', '', 'JSON'])('answers 400 for ?format=%s', async (format) => {
    const response = await request(readyService(), `/readyz?format=${format}`);
    expect(response.status).toBe(400);
    expect(response.body).toBe('unknown format; use ?format=json or ?format=text\n');
  });

  it('answers without headers at all', async () => {
    const response = await request(readyService(), '/readyz', { headers: undefined });
    expect(response.status).toBe(200);
  });
});

describe('Cache-Control: no-store', () => {
  it.each([
    ['200', '/readyz', 'GET'],
    ['503', '/startupz', 'GET'],
    ['JSON', '/readyz?format=json', 'GET'],
    ['HEAD', '/readyz', 'HEAD'],
    ['400 malformed name', '/readyz/%E0%A4%A', 'GET'],
    ['400 format', '/readyz?format=xml', 'GET'],
    ['404', '/readyz/unknown', 'GET'],
    ['405', '/readyz', 'POST'],
    ['414', `/readyz?${'q'.repeat(5000)}`, 'GET'],
  ])('is on the %s response', async (_label, path, method) => {
    const lameduck = service();
    lameduck.check('db', async () => {});
    const response = await request(lameduck, path, { method });
    expect(response.headers['Cache-Control']).toBe('no-store');
    expect(response.headers['X-Content-Type-Options']).toBe('nosniff');
  });
});

describe('lifecycle', () => {
  it('answers 503 at once after drain(), without running checks, while liveness stays 200', async () => {
    const lameduck = service();
    let calls = 0;
    lameduck.check(
      'db',
      async () => {
        calls += 1;
      },
      { cacheTtlMs: 0 },
    );
    lameduck.check('loop', async () => {}, { kind: 'liveness' });
    lameduck.ready();
    expect((await request(lameduck, '/readyz')).status).toBe(200);

    lameduck.drain();
    const readiness = await request(lameduck, '/readyz');
    const liveness = await request(lameduck, '/livez');

    expect(readiness.status).toBe(503);
    expect(readiness.body).toBe('[-]lifecycle draining: shutting down\nreadiness check failed\n');
    expect(calls).toBe(1);
    expect(liveness.status).toBe(200);
  });

  it('answers 503 to a readiness request that was already running when drain() came', async () => {
    const lameduck = service();
    let release!: () => void;
    lameduck.check('db', () => new Promise<void>((resolve) => (release = resolve)));
    lameduck.ready();
    const pending = request(lameduck, '/readyz');
    lameduck.drain();
    release();
    expect((await pending).status).toBe(503);
  });

  it('keeps startup 200 while draining', async () => {
    const lameduck = readyService();
    lameduck.drain();
    expect((await request(lameduck, '/startupz')).status).toBe(200);
  });

  it('answers 503 from startup while starting, and 200 once ready', async () => {
    const lameduck = service();
    expect((await request(lameduck, '/startupz')).status).toBe(503);
    lameduck.ready();
    expect((await request(lameduck, '/startupz')).status).toBe(200);
  });
});

describe('never rejects', () => {
  function context(overrides: Partial<ResponderContext>): ResponderContext {
    return {
      paths: DEFAULT_PROBE_PATHS,
      bases: Object.values(DEFAULT_PROBE_PATHS),
      exposeDetails: false,
      knownCheck: () => true,
      evaluate: async () => ({
        kind: 'readiness',
        status: 'pass',
        state: 'ready',
        checks: [],
        unknownExcludes: [],
      }),
      ...overrides,
    };
  }

  it('answers 500 with no-store when the evaluation rejects', async () => {
    const response = await answerProbe(context({ evaluate: () => Promise.reject(new Error('bug')) }), {
      method: 'GET',
      path: '/readyz',
    });
    const body = 'internal error while answering the probe\n';
    expect(response).toEqual({ status: 500, headers: errorHeaders(body), body });
  });

  it('answers 500 when the evaluation throws synchronously', async () => {
    const response = await answerProbe(
      context({
        evaluate: () => {
          throw new Error('bug');
        },
      }),
      { method: 'GET', path: '/readyz' },
    );
    expect(response?.status).toBe(500);
  });

  it('answers 500 when the check lookup throws', async () => {
    const response = await answerProbe(
      context({
        knownCheck: () => {
          throw new Error('bug');
        },
      }),
      { method: 'GET', path: '/readyz/db' },
    );
    expect(response?.status).toBe(500);
  });

  it('answers 400 when reading a header throws', async () => {
    const headers = {
      get() {
        throw new Error('bad headers');
      },
    };
    const response = await answerProbe(context({}), { method: 'GET', path: '/readyz', headers });
    expect(response).toMatchObject({
      status: 400,
      body: 'cannot read the probe request (a property of it threw)\n',
    });
  });

  it('answers 500 with an empty body for HEAD', async () => {
    const response = await answerProbe(context({ evaluate: () => Promise.reject('bug') }), {
      method: 'HEAD',
      path: '/readyz',
    });
    expect(response).toMatchObject({ status: 500, body: '' });
  });
});

describe('acceptsHealthJson', () => {
  it('refuses a header longer than 1 KB outright', () => {
    expect(acceptsHealthJson(`application/health+json,${' '.repeat(1024)}`)).toBe(false);
  });

  it('accepts a positive q-value below 1', () => {
    expect(acceptsHealthJson('application/json;q=0.001')).toBe(true);
  });
});

describe('formatText and formatJson', () => {
  const failing: CheckResult = {
    name: 'db',
    status: 'fail',
    critical: true,
    startedAt: T0,
    durationMs: 12,
    error: 'x'.repeat(1000),
    cached: true,
  };
  const report: ProbeReport = {
    kind: 'readiness',
    status: 'fail',
    state: 'ready',
    checks: [failing],
    unknownExcludes: [],
  };

  it('cuts a long exposed reason to 300 characters in text', () => {
    const body = formatText(report, { verbose: false, exposeDetails: true });
    expect(body).toContain(`[-]db failed: ${'x'.repeat(300)}…\n`);
  });

  it('cuts a long exposed reason in JSON too', () => {
    const body = JSON.parse(formatJson(report, true));
    expect(body.checks.db[0].output).toBe(`${'x'.repeat(300)}…`);
  });

  it('marks a cached result and carries its duration', () => {
    const [db] = JSON.parse(formatJson(report, false)).checks.db;
    expect(db).toMatchObject({ cached: true, durationMs: 12, observedValue: 12, output: 'reason withheld' });
  });
});

describe('HEAD answers carry the Content-Length of GET (RFC 9110 §9.3.2)', () => {
  it.each([
    ['/readyz', {}],
    ['/readyz?verbose', {}],
    ['/readyz', JSON_ACCEPT],
    ['/readyz/nope', {}],
    ['/startupz', {}],
  ])('%s', async (path, init) => {
    const lameduck = service();
    lameduck.check('db', failWith('down'), { cacheTtlMs: 0 });
    const get = await request(lameduck, path, init);
    const head = await request(lameduck, path, { ...init, method: 'HEAD' });
    expect(get.headers['Content-Length']).toBe(String(Buffer.byteLength(get.body)));
    expect(head.body).toBe('');
    expect(head.status).toBe(get.status);
    expect(head.headers).toEqual(get.headers);
  });

  it('counts UTF-8 bytes, not UTF-16 code units', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(utf8Length(text)).toBe(Buffer.byteLength(text));
      }),
    );
    expect(utf8Length('\ud800x')).toBe(Buffer.byteLength('\ud800x'));
  });
});

describe('Vary: Accept', () => {
  it('is sent when the format follows Accept', async () => {
    expect((await request(readyService(), '/readyz')).headers.Vary).toBe('Accept');
    expect((await request(readyService(), '/readyz', JSON_ACCEPT)).headers.Vary).toBe('Accept');
  });

  it('is not sent when ?format= chose the format', async () => {
    expect((await request(readyService(), '/readyz?format=json')).headers.Vary).toBeUndefined();
  });
});

describe('absolute-form targets (RFC 9112 §3.2.2)', () => {
  it.each([
    ['http://pod:8080/readyz', 200, 'ok\n'],
    ['HTTP://pod/readyz/', 200, 'ok\n'],
    ['https://pod/readyz?verbose', 200, '[+]lifecycle ready\n[+]db ok\nreadiness check passed\n'],
    ['http://pod/readyz/db', 200, 'ok\n'],
    ['http://pod/livez', 200, 'ok\n'],
    ['http://user@pod:1/startupz', 200, 'ok\n'],
  ])('answers %s', async (target, status, body) => {
    const lameduck = readyService();
    expect(isProbePath(lameduck, target)).toBe(true);
    expect(await request(lameduck, target)).toMatchObject({ status, body });
  });

  it.each([
    'http://pod',
    'http://pod?/readyz',
    'http://pod#/readyz',
    'http://pod/api/readyz',
    'ftp://pod/readyz',
    'http:/readyz',
    '*',
    'pod:8080',
    'readyz',
    'http://pod//readyz',
  ])('leaves %s to the app', (target) => {
    const lameduck = readyService();
    expect(isProbePath(lameduck, target)).toBe(false);
    expect(respondToProbe(lameduck, { method: 'GET', path: target })).toBeUndefined();
  });

  it('finds where the path starts', () => {
    expect(pathStart('/readyz')).toBe(0);
    expect(pathStart('http://h/readyz')).toBe(8);
    expect(pathStart('https://h:1/x')).toBe(11);
    expect(pathStart('http://h')).toBe(-1);
    expect(mayBeProbe(['/readyz'], 'http://h/readyz?x')).toBe(true);
  });
});
