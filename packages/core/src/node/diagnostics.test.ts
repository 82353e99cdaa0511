import diagnostics from 'node:diagnostics_channel';
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHard, get, listen, until } from '../../test/support/http.js';
import {
  DIAGNOSTICS_CHANNELS,
  type LameduckCheckMessage,
  type LameduckShutdownMessage,
  type LameduckStateMessage,
} from './diagnostics.js';
import { createNodeLameduck, type NodeLameduck } from './node-lameduck.js';

type Message = LameduckStateMessage | LameduckCheckMessage | LameduckShutdownMessage;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Records every message on the three channels, tagged with its channel. */
function record(): { channel: string; message: Message }[] {
  const seen: { channel: string; message: Message }[] = [];
  for (const name of Object.values(DIAGNOSTICS_CHANNELS)) {
    const listener = (message: unknown) => seen.push({ channel: name, message: message as Message });
    diagnostics.subscribe(name, listener);
    cleanups.push(() => diagnostics.unsubscribe(name, listener));
  }
  return seen;
}

async function serve(lameduck: NodeLameduck, handler: Parameters<typeof createServer>[1]) {
  const server = lameduck.attach(createServer(handler));
  cleanups.push(() => server.listening && closeHard(server));
  return listen(server);
}

describe('diagnostics channels', () => {
  it('publishes state changes, fresh check results and every step of a shutdown, in order, with the lifecycle', async () => {
    const seen = record();
    const lameduck = createNodeLameduck({
      logger: false,
      signals: false,
      drainDelayMs: 300,
      drainTimeoutMs: 5000,
    });
    cleanups.push(() => lameduck.dispose());
    let healthy = false;
    lameduck.check('db', () => {
      if (!healthy) throw new Error('db down');
    });
    lameduck.onDrainStart('sse', () => {});
    lameduck.onCleanup('pool', () => {});
    lameduck.onCleanup('broken', () => {
      throw new Error('flush failed');
    });
    let release = () => {};
    const port = await serve(lameduck, (request, response) => {
      if (request.url === '/slow') release = () => response.end('slow');
      else response.end('ok');
    });
    lameduck.ready();
    expect((await lameduck.probe('readiness')).status).toBe('fail');
    healthy = true;
    await lameduck.probe('readiness'); // cached for 1 s: no fresh result, no message
    const slow = get(port, '/slow');
    await until(() => lameduck.inFlight === 1);
    const result = lameduck.shutdown('test');
    await until(() => seen.some(({ message }) => 'phase' in message && message.phase === 'listeners-closed'));
    release();
    expect((await slow).body).toBe('slow');
    expect((await result).exitCode).toBe(1);
    await until(() => seen.some(({ message }) => 'phase' in message && message.phase === 'done'));

    expect(seen.every(({ message }) => message.lifecycle === lameduck)).toBe(true);
    const summary = seen.map(({ channel, message }) => {
      if (channel === 'lameduck:state') return `state ${(message as LameduckStateMessage).to}`;
      if (channel === 'lameduck:check') {
        const check = message as LameduckCheckMessage;
        return `check ${check.name} ${check.status} ${check.kinds.join('+')} cached=${check.cached}`;
      }
      const step = message as LameduckShutdownMessage;
      return step.phase === 'hook' ? `hook ${step.hook?.name} ${step.hook?.ok}` : step.phase;
    });
    expect(summary).toEqual([
      'state ready',
      'check db fail readiness cached=false',
      'state draining',
      'start',
      'hook sse true',
      'delay-end',
      'listeners-closed',
      'drained',
      'hook broken false',
      'hook pool true',
      'state closed',
      'done',
    ]);
    const phases = seen.map(({ message }) => message as LameduckShutdownMessage).filter((m) => m.phase);
    const start = phases.find((m) => m.phase === 'start');
    expect(start).toMatchObject({ reason: 'test', inFlight: 1, connections: 1 });
    const delayEnd = phases.find((m) => m.phase === 'delay-end');
    expect(delayEnd?.cutShort).toBe(false);
    expect(delayEnd?.durationMs).toBeGreaterThanOrEqual(290);
    expect(phases.find((m) => m.phase === 'listeners-closed')).toMatchObject({ inFlight: 1 });
    const done = phases.find((m) => m.phase === 'done');
    expect(done?.result).toMatchObject({ forced: false, exitCode: 1, failedHooks: [{ name: 'broken' }] });
    const check = seen.find(({ channel }) => channel === 'lameduck:check')?.message as LameduckCheckMessage;
    expect(check).toMatchObject({
      name: 'db',
      status: 'fail',
      critical: true,
      error: 'db down',
      cached: false,
    });
    expect(check.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('publishes forced with what was cut when the drain timeout is reached', async () => {
    const seen = record();
    const lameduck = createNodeLameduck({
      logger: false,
      signals: false,
      drainDelayMs: 0,
      drainTimeoutMs: 300,
    });
    cleanups.push(() => lameduck.dispose());
    const port = await serve(lameduck, () => {}); // never answers
    lameduck.ready();
    const hanging = get(port, '/hang').catch((error: Error) => error);
    await until(() => lameduck.inFlight === 1);
    const result = await lameduck.shutdown('test');
    expect(result.forced).toBe(true);
    expect(await hanging).toBeInstanceOf(Error);
    const forced = seen.find(({ message }) => 'phase' in message && message.phase === 'forced')?.message;
    expect(forced).toMatchObject({ destroyedConnections: 1, abandonedRequests: 1 });
    expect(seen.some(({ message }) => 'phase' in message && message.phase === 'drained')).toBe(false);
  });

  it('publishes nothing when nobody subscribes (and does once someone does)', async () => {
    const channels = Object.values(DIAGNOSTICS_CHANNELS).map((name) => diagnostics.channel(name));
    let published = 0;
    for (const channel of channels) {
      const original = channel.publish;
      channel.publish = (message) => {
        published += 1;
        original.call(channel, message);
      };
      cleanups.push(() => {
        channel.publish = original;
      });
    }
    const run = async () => {
      const lameduck = createNodeLameduck({ logger: false, signals: false, drainDelayMs: 0 });
      cleanups.push(() => lameduck.dispose());
      lameduck.check('db', () => {});
      lameduck.ready();
      await lameduck.probe('readiness');
      await lameduck.shutdown('test');
      await new Promise((resolve) => setImmediate(resolve));
    };
    expect(channels.some((channel) => channel.hasSubscribers)).toBe(false);
    await run();
    expect(published).toBe(0);
    record();
    await run();
    expect(published).toBe(9); // ready, check, draining, start, delay-end, listeners-closed, drained, closed, done
  });
});
