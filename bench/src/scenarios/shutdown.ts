import { connect, type Socket } from 'node:net';
import { type BenchContext, roundOrder, startChild } from '../context.js';
import { median, openWithRequest, responseComplete, withTimeout } from '../load.js';
import { type Column, type Row, round, show } from '../report.js';
import {
  DEFAULT_DRAIN_TIMEOUT_MS,
  FRAMEWORKS,
  type Framework,
  type ServerSpec,
  type Variant,
} from '../spec.js';

/**
 * naive runs on node:http only: Express's app.listen() is the same server.close() underneath.
 * Koa and Hono are left out by default for time: their adapters hand the same node:http server
 * to the same drain engine (`--frameworks=koa,hono` runs them).
 */
const SHUTDOWN_VARIANTS: Record<Framework, Variant[]> = {
  node: ['naive', 'lameduck', 'http-terminator', 'lightship'],
  express: ['lameduck', 'terminus'],
  koa: ['lameduck'],
  hono: ['lameduck'],
};
const DEFAULT_FRAMEWORKS: Framework[] = ['node', 'express'];

const LABELS: Partial<Record<Variant, string>> = {
  naive: 'naive server.close()',
  lightship: 'lightship + http-terminator',
  terminus: '@godaddy/terminus',
};

/** Past the drain timeout (5 s for everyone) plus margin: a child still alive then is killed. */
const EXIT_WAIT_MS = DEFAULT_DRAIN_TIMEOUT_MS + 10_000;
const OPEN_CONCURRENCY = 100;

export const SHUTDOWN_COLUMNS: Column[] = [
  { title: 'framework', value: show.text('framework'), text: true },
  { title: 'variant', value: show.text('variantLabel'), text: true },
  { title: 'idle conns', value: show.number('idleConnections') },
  { title: 'quiet for ms', value: show.number('idleQuietMs') },
  { title: 'SIGTERM→exit ms', value: show.number('exitMs', 0) },
  { title: 'floor ms', value: show.number('floorMs', 0) },
  { title: 'above floor ms', value: show.number('aboveFloorMs', 0) },
  { title: 'in-flight answered', value: show.text('inFlightAnswered'), text: true },
  { title: 'idle reset', value: show.number('idleResets') },
  { title: 'exit', value: show.text('exitStatus'), text: true },
];

interface Sample {
  exitMs: number;
  floorMs: number;
  inFlightAnswered: boolean;
  idleResets: number;
  exitStatus: string;
}

/**
 * Shutdown latency: N idle keep-alive connections and one request in flight for a known time,
 * then SIGTERM; how long until the process exits. The floor is what no server can beat: the
 * drain delay (0 here, for every variant) or what is left of the in-flight request, whichever
 * is longer — the request keeps running during the delay, so they overlap rather than add.
 */
export async function runShutdown(context: BenchContext): Promise<Row[]> {
  const { shutdown, frameworks } = context.settings;
  const all = frameworks.length === FRAMEWORKS.length ? DEFAULT_FRAMEWORKS : frameworks;
  const rows: Row[] = [];
  for (const { idleConnections, quietMs, variants } of shutdown.conditions) {
    const specs: ServerSpec[] = all.flatMap((framework) =>
      SHUTDOWN_VARIANTS[framework]
        .filter((variant) => variants === undefined || variants.includes(variant))
        .map((variant) => ({ framework, variant })),
    );
    const samples = new Map<ServerSpec, Sample[]>(specs.map((spec) => [spec, []]));
    for (let index = 0; index < shutdown.rounds; index += 1) {
      for (const spec of roundOrder(specs, index)) {
        const sample = await measureOnce(context, spec, idleConnections, quietMs, shutdown.inFlightMs);
        samples.get(spec)!.push(sample);
        context.log(
          `shutdown ${spec.framework}/${spec.variant} ${idleConnections} idle (quiet ${quietMs} ms), round ${index + 1}/${shutdown.rounds}: exit after ${sample.exitMs.toFixed(0)} ms (floor ${sample.floorMs.toFixed(0)} ms), ${sample.exitStatus}`,
        );
      }
    }
    for (const spec of specs) {
      const own = samples.get(spec)!;
      rows.push({
        scenario: 'shutdown',
        framework: spec.framework,
        variant: spec.variant,
        variantLabel: LABELS[spec.variant] ?? spec.variant,
        rounds: own.length,
        idleConnections,
        idleQuietMs: quietMs,
        inFlightMs: shutdown.inFlightMs,
        drainDelayMs: 0,
        exitMs: round(median(own.map((sample) => sample.exitMs)), 1),
        floorMs: round(median(own.map((sample) => sample.floorMs)), 1),
        aboveFloorMs: round(median(own.map((sample) => sample.exitMs - sample.floorMs)), 1),
        inFlightAnswered: `${own.filter((sample) => sample.inFlightAnswered).length}/${own.length}`,
        idleResets: Math.max(...own.map((sample) => sample.idleResets)),
        exitStatus: [...new Set(own.map((sample) => sample.exitStatus))].join(', '),
        roundsExitMs: own.map((sample) => round(sample.exitMs, 1)),
      });
    }
  }
  return rows;
}

async function measureOnce(
  context: BenchContext,
  spec: ServerSpec,
  idleConnections: number,
  quietMs: number,
  inFlightMs: number,
): Promise<Sample> {
  const child = await startChild(context, { ...spec, drainTimeoutMs: DEFAULT_DRAIN_TIMEOUT_MS });
  const sockets: Socket[] = [];
  try {
    let idleResets = 0;
    for (let opened = 0; opened < idleConnections; opened += OPEN_CONCURRENCY) {
      const batch = Math.min(OPEN_CONCURRENCY, idleConnections - opened);
      const socketsInBatch = await Promise.all(
        Array.from({ length: batch }, () => openWithRequest(child.port, '/')),
      );
      for (const socket of socketsInBatch) {
        socket.on('error', () => {
          idleResets += 1;
        });
        sockets.push(socket);
      }
    }

    if (quietMs > 0) await new Promise((resolve) => setTimeout(resolve, quietMs));

    // One request in flight, on a keep-alive connection the client would happily reuse.
    const inFlight = connect(child.port, '127.0.0.1');
    sockets.push(inFlight);
    let answer = '';
    inFlight.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    inFlight.on('error', () => {});
    const arrived = child.nextSlowStart();
    inFlight.write(`GET /slow?ms=${inFlightMs} HTTP/1.1\r\nHost: bench\r\n\r\n`);
    await withTimeout(arrived, 30_000, `${spec.framework}/${spec.variant} never received the slow request`);
    const arrivedAt = performance.now();

    const killedAt = performance.now();
    child.process.kill('SIGTERM');
    const timer = setTimeout(() => child.process.kill('SIGKILL'), EXIT_WAIT_MS);
    const exit = await child.exited;
    clearTimeout(timer);
    // Let the last bytes the child wrote reach our sockets.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const timedOut = exit.signal === 'SIGKILL';
    return {
      exitMs: timedOut ? Number.NaN : exit.atMs - killedAt,
      floorMs: Math.max(0, inFlightMs - (killedAt - arrivedAt)),
      inFlightAnswered: answer.startsWith('HTTP/1.1 200') && responseComplete(answer),
      idleResets,
      exitStatus: timedOut ? `killed after ${EXIT_WAIT_MS} ms` : `${exit.code ?? exit.signal}`,
    };
  } finally {
    for (const socket of sockets) socket.destroy();
    await child.kill();
  }
}
