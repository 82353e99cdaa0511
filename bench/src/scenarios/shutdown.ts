import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type BenchContext, roundOrder, startChild } from '../context.js';
import type { HolderMessage } from '../idle-holder.js';
import { median, responseComplete, withTimeout } from '../load.js';
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
  node: ['naive', 'close-idle', 'lameduck', 'http-terminator', 'lightship'],
  express: ['lameduck', 'terminus'],
  koa: ['lameduck'],
  hono: ['lameduck'],
};
const DEFAULT_FRAMEWORKS: Framework[] = ['node', 'express'];

const LABELS: Partial<Record<Variant, string>> = {
  naive: 'naive server.close()',
  'close-idle': 'bare close() + closeIdleConnections()',
  'lameduck-baseline': 'lameduck (baseline core)',
  lightship: 'lightship + http-terminator',
  terminus: '@godaddy/terminus',
};

/** Past the drain timeout (5 s for everyone) plus margin: a child still alive then is killed. */
const EXIT_WAIT_MS = DEFAULT_DRAIN_TIMEOUT_MS + 10_000;
const OPEN_CONCURRENCY = 100;
const HOLDER_ENTRY = fileURLToPath(new URL('./idle-holder.js', import.meta.url));

export const SHUTDOWN_COLUMNS: Column[] = [
  { title: 'framework', value: show.text('framework'), text: true },
  { title: 'variant', value: show.text('variantLabel'), text: true },
  { title: 'idle conns', value: show.number('idleConnections') },
  { title: 'quiet for ms', value: show.number('idleQuietMs') },
  { title: 'keep-alive ms', value: show.number('keepAliveTimeoutMs') },
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
  for (const { idleConnections, quietMs, variants, idleGraceMs, keepAliveTimeoutMs } of shutdown.conditions) {
    const keepAlive = keepAliveTimeoutMs === undefined ? {} : { keepAliveTimeoutMs };
    const baselineCore = context.settings.baselineCore;
    const specs: ServerSpec[] = all.flatMap((framework) =>
      SHUTDOWN_VARIANTS[framework]
        // close-idle runs only where a condition names it (the keep-alive row).
        .filter((variant) => (variants === undefined ? variant !== 'close-idle' : variants.includes(variant)))
        .flatMap((variant): ServerSpec[] => [
          { framework, variant, ...keepAlive, ...(idleGraceMs === undefined ? {} : { idleGraceMs }) },
          // Before/after in the same rounds: lameduck on node:http with core from another build.
          ...(framework === 'node' && variant === 'lameduck' && baselineCore !== undefined
            ? [
                {
                  framework,
                  variant: 'lameduck-baseline' as const,
                  coreDir: baselineCore,
                  ...keepAlive,
                  ...(idleGraceMs === undefined ? {} : { idleGraceMs }),
                },
              ]
            : []),
        ]),
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
        variantLabel: `${LABELS[spec.variant] ?? spec.variant}${spec.idleGraceMs === undefined ? '' : `, idleGraceMs ${spec.idleGraceMs}`}`,
        rounds: own.length,
        idleConnections,
        idleQuietMs: quietMs,
        // Each server's default when the condition sets none: lameduck's 65000, Node's 5000 (a
        // baseline core's own is not known here).
        ...(keepAliveTimeoutMs !== undefined || spec.variant !== 'lameduck-baseline'
          ? { keepAliveTimeoutMs: keepAliveTimeoutMs ?? (spec.variant === 'lameduck' ? 65_000 : 5_000) }
          : {}),
        ...(spec.idleGraceMs === undefined ? {} : { idleGraceMs: spec.idleGraceMs }),
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
  const holder = new Worker(HOLDER_ENTRY, {
    workerData: { port: child.port, connections: idleConnections, concurrency: OPEN_CONCURRENCY },
  });
  const holderSays = (type: HolderMessage['type']) =>
    new Promise<HolderMessage>((resolve, reject) => {
      const onMessage = (message: HolderMessage) => {
        if (message.type === 'failed') reject(new Error(message.error));
        else if (message.type === type) resolve(message);
        else return;
        holder.off('message', onMessage);
      };
      holder.on('message', onMessage);
      holder.once('error', reject);
    });
  try {
    await withTimeout(
      holderSays('opened'),
      60_000,
      `${idleConnections} idle connections did not open in time`,
    );

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
    const closed = holderSays('closed');
    holder.postMessage('close');
    const idleResets = (
      (await withTimeout(closed, 30_000, 'the idle connections did not close')) as {
        resets: number;
      }
    ).resets;
    return {
      exitMs: timedOut ? Number.NaN : exit.atMs - killedAt,
      floorMs: Math.max(0, inFlightMs - (killedAt - arrivedAt)),
      inFlightAnswered: answer.startsWith('HTTP/1.1 200') && responseComplete(answer),
      idleResets,
      exitStatus: timedOut ? `killed after ${EXIT_WAIT_MS} ms` : `${exit.code ?? exit.signal}`,
    };
  } finally {
    for (const socket of sockets) socket.destroy();
    await holder.terminate();
    await child.kill();
  }
}
