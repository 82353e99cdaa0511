import { describe, expect, it } from 'vitest';
import { type CheckKind, CheckRegistry } from './checks.js';
import { DEFAULT_PROBE_PATHS } from './paths.js';
import { evaluateProbe, type ProbeQuery } from './probe.js';
import {
  answerProbe,
  cachedAnswerFor,
  type ProbeRequest,
  type ResponderContext,
  responderCache,
} from './respond.js';
import { StateMachine } from './states.js';

/** One service by hand: its clock, state and checks, and a responder with or without kept answers. */
function world(keep: boolean) {
  let time = Date.UTC(2025, 0, 2, 3, 4, 5);
  let failing = false;
  let evaluations = 0;
  const now = () => time;
  const machine = new StateMachine({ now, logger: { info() {}, warn() {}, error() {} } });
  const registry = new CheckRegistry({ now });
  registry.add('db', () => {
    if (failing) throw new Error('db down');
  });
  registry.add('cache', () => ({ hits: 3 }), { critical: false });
  registry.add('loop', () => {}, { kind: 'liveness' });
  const paths = DEFAULT_PROBE_PATHS;
  const context: ResponderContext = {
    paths,
    bases: [paths.readiness, paths.liveness, paths.startup],
    exposeDetails: true,
    knownCheck: (kind, name) => registry.has(name, kind),
    evaluate: (kind: CheckKind, query: ProbeQuery) => {
      evaluations += 1;
      return evaluateProbe(kind, machine, registry, query);
    },
    ...(keep ? { cache: responderCache(registry, machine, now) } : {}),
  };
  return {
    context,
    machine,
    registry,
    get evaluations() {
      return evaluations;
    },
    advance: (ms: number) => {
      time += ms;
    },
    fail: (value: boolean) => {
      failing = value;
    },
    ask: (path: string, init: Partial<ProbeRequest> = {}) =>
      answerProbe(context, { method: 'GET', path, ...init }),
  };
}

type World = ReturnType<typeof world>;

describe('kept probe answers', () => {
  it('answer a repeated plain probe without building the report again', async () => {
    const service = world(true);
    service.machine.transition('ready', 'test');
    for (let index = 0; index < 12; index += 1) {
      expect(await service.ask('/readyz')).toMatchObject({ status: 200, body: 'ok\n' });
    }
    // The first runs the checks (fresh results are not kept), the second is built from cached
    // results and kept, the other ten are the kept answer.
    expect(service.evaluations).toBe(2);
    const kept = cachedAnswerFor(service.context, 'GET', '/readyz', undefined);
    expect(kept).toMatchObject({ status: 200, body: 'ok\n' });
    expect(kept?.headerList).toEqual(Object.entries(kept?.headers ?? {}).flat());
    expect(cachedAnswerFor(service.context, 'POST', '/readyz', undefined)).toBeUndefined();
    expect(cachedAnswerFor(service.context, 'GET', '/readyz?verbose', undefined)).toBeUndefined();
    expect(cachedAnswerFor(service.context, 'GET', '/livez', undefined)).toBeUndefined();
  });

  it('give a copy the caller may change without changing the next answer', async () => {
    const service = world(true);
    service.machine.transition('ready', 'test');
    await service.ask('/readyz');
    await service.ask('/readyz');
    const first = (await service.ask('/readyz'))!;
    first.headers['Content-Type'] = 'changed';
    expect((await service.ask('/readyz'))!.headers['Content-Type']).toBe('text/plain; charset=utf-8');
  });

  it('are exactly what building the answer gives, through expiry, failures, state changes and new checks', async () => {
    const kept = world(true);
    const built = world(false);
    const both = async (step: (service: World) => unknown) => {
      await step(kept);
      await step(built);
    };
    const requests: [string, Partial<ProbeRequest>][] = [
      ['/readyz', {}],
      ['/readyz', { method: 'HEAD' }],
      ['/readyz', { headers: { accept: 'application/health+json' } }],
      ['/readyz', { method: 'HEAD', headers: { accept: 'application/json' } }],
      ['/livez', {}],
      ['/livez', { headers: { accept: 'application/json' } }],
      ['/startupz', { headers: { accept: 'application/json' } }],
      ['/readyz?verbose', {}],
    ];
    const compare = async (label: string) => {
      for (let repeat = 0; repeat < 3; repeat += 1) {
        for (const [path, init] of requests) {
          const mine = await kept.ask(path, init);
          const reference = await built.ask(path, init);
          expect(
            mine,
            `${label}: ${init.method ?? 'GET'} ${path} ${JSON.stringify(init.headers ?? {})}`,
          ).toEqual(reference);
        }
      }
    };
    await compare('starting');
    await both((service) => service.machine.transition('ready', 'test'));
    await both((service) => service.registry.clearCache());
    await compare('ready');
    await both((service) => service.advance(999));
    await compare('just before expiry');
    await both((service) => service.advance(2));
    await compare('after expiry');
    await both((service) => service.fail(true));
    await both((service) => service.advance(1001));
    await compare('db failing');
    await both((service) => service.registry.add('queue', () => {}, { kind: 'startup' }));
    await compare('a check added');
    await both((service) => service.registry.remove('db'));
    await compare('a check removed');
    await both((service) => service.machine.transition('draining', 'test'));
    await compare('draining');
    // Building every answer (the reference) evaluated every time; liveness and ?verbose still do.
    expect(kept.evaluations).toBeLessThan(built.evaluations * 0.75);
  });
});
