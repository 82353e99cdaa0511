import { createServer } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHard, listen } from '../../test/support/http.js';
import { createLameduck } from '../lameduck.js';
import { createNodeLameduck, type NodeLameduck } from './node-lameduck.js';

type Line = Record<string, unknown> & { msg: string; level: number };

/** A real pino logger writing JSON lines to a stream the test reads back. */
function pinoLines() {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      for (const text of String(chunk).split('\n')) if (text) lines.push(JSON.parse(text));
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('structured logs', () => {
  it('hands a pino logger the fields of a check failing and passing again', async () => {
    const { logger, lines } = pinoLines();
    let nowMs = 1_000_000;
    let healthy = true;
    const lameduck = createLameduck({ logger, now: () => nowMs });
    lameduck.check(
      'db',
      () => {
        if (!healthy) throw new Error('connect ECONNREFUSED');
      },
      { cacheTtlMs: 0 },
    );
    lameduck.ready();
    await lameduck.probe('readiness');
    healthy = false;
    nowMs += 4000;
    await lameduck.probe('readiness');
    healthy = true;
    nowMs += 2500;
    await lameduck.probe('readiness');
    expect(
      lines.map(({ level, msg, state, check, status, previousForMs, error }) => ({
        level,
        msg,
        state,
        check,
        status,
        previousForMs,
        error,
      })),
    ).toEqual([
      {
        level: 30,
        msg: '[lameduck] state starting -> ready (ready() called)',
        state: 'ready',
        check: undefined,
        status: undefined,
        previousForMs: undefined,
        error: undefined,
      },
      {
        level: 40,
        msg: '[lameduck] check "db" failing (after 4000 ms passing): connect ECONNREFUSED',
        state: undefined,
        check: 'db',
        status: 'fail',
        previousForMs: 4000,
        error: 'connect ECONNREFUSED',
      },
      {
        level: 30,
        msg: '[lameduck] check "db" passing again (after 2500 ms failing)',
        state: undefined,
        check: 'db',
        status: 'pass',
        previousForMs: 2500,
        error: undefined,
      },
    ]);
  });

  it("reports a non-critical check's failure with status warn", async () => {
    const { logger, lines } = pinoLines();
    const lameduck = createLameduck({ logger });
    lameduck.check('cache', () => Promise.reject(new Error('evicted')), { critical: false });
    await lameduck.probe('readiness');
    expect(lines.find((line) => line.check === 'cache')).toMatchObject({
      level: 40,
      status: 'warn',
      critical: false,
      error: 'evicted',
    });
  });

  it('hands a pino logger the phase and durationMs of each shutdown step and hook', async () => {
    const { logger, lines } = pinoLines();
    const lameduck: NodeLameduck = createNodeLameduck({
      logger,
      signals: false,
      drainDelayMs: 200,
      env: false,
    });
    cleanups.push(() => lameduck.dispose());
    lameduck.onCleanup('pool', () => {});
    const server = lameduck.attach(createServer((_request, response) => response.end('ok')));
    cleanups.push(() => server.listening && closeHard(server));
    await listen(server);
    lameduck.ready();
    await lameduck.shutdown('test');
    const phases = lines.filter((line) => line.phase !== undefined);
    expect(phases.map(({ phase, hook }) => (hook ? `${phase} ${hook}` : phase))).toEqual([
      'start',
      'listeners-closed',
      'drained',
      'cleanup pool',
      'done',
    ]);
    expect(phases[0]).toMatchObject({ reason: 'test', inFlight: 0, connections: 0 });
    expect(phases[1]?.durationMs).toBeGreaterThanOrEqual(190);
    expect(phases.at(-1)).toMatchObject({ forced: false, failedHooks: 0, exitCode: 0 });
    for (const line of phases)
      expect(typeof line.durationMs === 'number' || line.phase === 'start').toBe(true);
    expect(lines.find((line) => line.state === 'closed')?.msg).toBe(
      '[lameduck] state draining -> closed (drained)',
    );
  });

  it('keeps giving one string to console-like and winston-like loggers, and fields to any logger with logFields: true', async () => {
    const calls: unknown[][] = [];
    const plain = { info: (...args: unknown[]) => calls.push(args), warn() {}, error() {} };
    // winston has child() and a levels object, but reads an object first as the message.
    const winstonLike = { ...plain, child: () => winstonLike, levels: { info: 2 } };
    createLameduck({ logger: plain }).ready();
    createLameduck({ logger: winstonLike }).ready();
    createLameduck({ logger: plain, logFields: true }).ready();
    expect(calls).toEqual([
      ['[lameduck] state starting -> ready (ready() called)'],
      ['[lameduck] state starting -> ready (ready() called)'],
      [
        { state: 'ready', from: 'starting', reason: 'ready() called' },
        '[lameduck] state starting -> ready (ready() called)',
      ],
    ]);
    expect(() => createLameduck({ logFields: 'yes' as never })).toThrow(
      'logFields must be true or false, got the string "yes"',
    );
  });
});
