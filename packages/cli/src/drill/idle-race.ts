import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DrillError } from './errors.js';
import { NginxIngress } from './nginx-ingress.js';
import type { IngressSummary } from './nginx-log.js';
import { PodProcess } from './pod-process.js';
import { freePort } from './ports.js';
import { classify, classifyStatus, type RequestRecord, summarize } from './requests.js';

// The keep-alive race with no rollout at all: nginx keeps pooled connections to a pod for 60 s,
// a Node server closes an idle one after its keepAliveTimeout (5 s by default up to Node 24).
// When nginx writes the next request just as the pod closes the connection, the request is lost:
// nginx retries a GET on another connection (masked), and answers a POST 502. Bursts separated by
// gaps swept around the pod's measured idle close show it; nginx closing first (an idle timeout
// below the pod's) or a pod that keeps connections longer than nginx (lameduck's 65 s) never does.

/** A pod for the scenario: what it runs, with the environment a kubelet would give it. */
export interface RacePod {
  /** "Node's default", "lameduck" */
  role: string;
  label: string;
  command: readonly string[];
  cwd: string;
  env: (port: number) => Record<string, string>;
}

/** How nginx is set up in front of the pod. */
export interface RaceProfile {
  name: string;
  label: string;
  upstreamKeepAliveTimeoutS: number;
  retry: boolean;
}

export const RACE_PROFILES: readonly RaceProfile[] = [
  {
    name: 'ingress-nginx',
    label: 'ingress-nginx: keep-alive 60 s, 3 tries',
    upstreamKeepAliveTimeoutS: 60,
    retry: true,
  },
  {
    name: 'below',
    label: "nginx keep-alive 4 s (below the pod's), 3 tries",
    upstreamKeepAliveTimeoutS: 4,
    retry: true,
  },
  {
    name: 'no-retry',
    label: 'no retry, keep-alive 60 s (as an AWS ALB)',
    upstreamKeepAliveTimeoutS: 60,
    retry: false,
  },
];

/** How long the idle close is waited for: lameduck's 65 s is reported as "still open". */
const IDLE_CLOSE_CAP_MS = 15_000;
/** The gaps, as offsets from the first pod's idle close: the race window is a few ms wide. */
export const GAP_OFFSETS_MS = [-400, -300, -200, -150, -100, -50, -25, -10, 0, 10, 25, 50] as const;
const BURST = 50;
const READY_TIMEOUT_MS = 30_000;
const REQUEST_TIMEOUT_MS = 10_000;

export interface IdleClose {
  /** After its last answer, when the pod closed an idle connection; undefined: not within the cap. */
  closedAfterMs: number | undefined;
  capMs: number;
  /** The Keep-Alive header's timeout=N, when the pod sent one. */
  hintS: number | undefined;
}

export interface RaceCell {
  pod: string;
  profile: string;
  requests: number;
  failed: number;
  failedByKind: Record<string, number>;
  /** Failed requests by the gap before their burst (offset from the measured close, ms). */
  failedByOffset: Record<string, number>;
  ingress: IngressSummary;
}

export interface IdleRaceResult {
  pods: { role: string; label: string; idleClose: IdleClose }[];
  gapsMs: number[];
  burst: number;
  cells: RaceCell[];
}

/** Runs every pod under every profile at once (each its own nginx and pod), and measures first. */
export async function runIdleRace(pods: readonly RacePod[], signal?: AbortSignal): Promise<IdleRaceResult> {
  const closes: IdleClose[] = [];
  for (const pod of pods) {
    const started = await startPod(pod, 'measure');
    try {
      closes.push(await measureIdleClose(started.port));
    } finally {
      started.process.killGroup();
      await started.process.exited;
    }
  }
  // The gaps go around the first pod that closed at all (Node's default); without one, 5 s.
  const baseMs = closes.find((close) => close.closedAfterMs !== undefined)?.closedAfterMs ?? 5000;
  const gapsMs = GAP_OFFSETS_MS.map((offset) => Math.round(baseMs + offset));
  const combos = pods.flatMap((pod) => RACE_PROFILES.map((profile) => ({ pod, profile })));
  const cells = await Promise.all(
    combos.map(({ pod, profile }) => raceCell(pod, profile, gapsMs, baseMs, signal)),
  );
  return {
    pods: pods.map((pod, index) => ({
      role: pod.role,
      label: pod.label,
      idleClose: closes[index] ?? { closedAfterMs: undefined, capMs: IDLE_CLOSE_CAP_MS, hintS: undefined },
    })),
    gapsMs,
    burst: BURST,
    cells,
  };
}

async function raceCell(
  pod: RacePod,
  profile: RaceProfile,
  gapsMs: readonly number[],
  baseMs: number,
  signal: AbortSignal | undefined,
): Promise<RaceCell> {
  const started = await startPod(pod, profile.name);
  let ingress: NginxIngress | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: BURST, maxFreeSockets: BURST });
  try {
    ingress = await NginxIngress.start({
      upstreamKeepAliveTimeoutS: profile.upstreamKeepAliveTimeoutS,
      retry: profile.retry,
    });
    await ingress.setEndpoints([
      {
        pod: pod.label,
        version: 'v1',
        host: '127.0.0.1',
        port: started.port,
        ready: true,
        serving: true,
        terminating: false,
      },
    ]);
    const records: RequestRecord[] = [];
    const byOffset: Record<string, number> = {};
    let serial = 0;
    // A first burst fills nginx's pool; every later one comes a gap after the one before ended.
    const bursts = [undefined, ...gapsMs];
    for (const gapMs of bursts) {
      if (signal?.aborted) throw new DrillError('interrupted');
      if (gapMs !== undefined) await sleep(gapMs);
      const burst = await Promise.all(
        Array.from({ length: BURST }, (_, index) => {
          serial += 1;
          return send(agent, ingress as NginxIngress, serial, index % 2 === 0 ? 'POST' : 'GET');
        }),
      );
      if (gapMs === undefined) continue;
      const key = `${gapMs - Math.round(baseMs) >= 0 ? '+' : ''}${gapMs - Math.round(baseMs)}`;
      byOffset[key] = burst.filter((record) => record.failure !== undefined).length;
      records.push(...burst);
    }
    await ingress.flush();
    const summary = await ingress.attribute(records);
    const totals = summarize(records);
    return {
      pod: pod.label,
      profile: profile.name,
      requests: totals.requests,
      failed: totals.failed,
      failedByKind: Object.fromEntries(Object.entries(totals.failedByKind).filter(([, count]) => count > 0)),
      failedByOffset: byOffset,
      ingress: summary,
    };
  } finally {
    agent.destroy();
    await ingress?.close();
    started.process.killGroup();
    await started.process.exited;
  }
}

function send(
  agent: Agent,
  ingress: NginxIngress,
  id: number,
  method: 'GET' | 'POST',
): Promise<RequestRecord> {
  const startMs = performance.now();
  return new Promise((resolve) => {
    let answered = false;
    let done = false;
    const finish = (outcome: { status?: number; code?: string }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const failure =
        outcome.code !== undefined
          ? classify({
              code: outcome.code,
              timedOut: outcome.code === 'ETIMEDOUT',
              answered,
              connection: undefined,
            })
          : classifyStatus(outcome.status ?? 0);
      resolve({
        id,
        ...(method === 'POST' ? { method } : {}),
        startMs,
        endMs: performance.now(),
        client: 'keep-alive',
        reused: outgoing.reusedSocket,
        ...(outcome.status === undefined ? {} : { status: outcome.status }),
        ...(outcome.code === undefined ? {} : { code: outcome.code }),
        ...(failure === undefined ? {} : { failure }),
      });
    };
    const body = method === 'POST' ? '{"order":"drill"}\n' : undefined;
    const outgoing = request(
      {
        host: ingress.host,
        port: ingress.port,
        path: '/',
        method,
        agent,
        headers: {
          'x-drill-request': String(id),
          ...(body === undefined
            ? {}
            : { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) }),
        },
      },
      (response) => {
        answered = true;
        response.resume();
        response.on('end', () => finish({ status: response.statusCode ?? 0 }));
        response.on('close', () => {
          if (!response.complete) finish({ code: 'ECONNRESET' });
        });
      },
    );
    const timer = setTimeout(
      () => outgoing.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })),
      REQUEST_TIMEOUT_MS,
    );
    outgoing.on('error', (error: NodeJS.ErrnoException) => finish({ code: error.code ?? error.message }));
    outgoing.end(body);
  });
}

async function startPod(pod: RacePod, tag: string): Promise<{ process: PodProcess; port: number }> {
  const port = await freePort();
  const process = new PodProcess(`${pod.label}-${tag}`, pod.command, { cwd: pod.cwd, env: pod.env(port) });
  const startedAt = performance.now();
  while (performance.now() - startedAt < READY_TIMEOUT_MS) {
    if (process.exit) break;
    if ((await status(port, '/readyz')) === 200) return { process, port };
    await sleep(100);
  }
  process.killGroup();
  const last = process.output.at(-1);
  throw new DrillError(
    `${pod.label} did not answer GET /readyz with 200 within ${READY_TIMEOUT_MS / 1000} s${last ? ` (its last line: ${last})` : ''}`,
  );
}

function status(port: number, path: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const outgoing = request({ host: '127.0.0.1', port, path, agent: false, timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    outgoing.on('timeout', () => outgoing.destroy());
    outgoing.on('error', () => resolve(undefined));
    outgoing.end();
  });
}

/**
 * The pod's real idle close: one request on a raw socket (no client's own reuse rule in the way),
 * then silence, timed from the end of the answer to the pod's FIN.
 */
export function measureIdleClose(port: number, capMs = IDLE_CLOSE_CAP_MS): Promise<IdleClose> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let text = '';
    let answeredAtMs: number | undefined;
    let hintS: number | undefined;
    const finish = (closedAfterMs: number | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ closedAfterMs, capMs, hintS });
    };
    const timer = setTimeout(() => finish(undefined), capMs + 5000);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write('GET / HTTP/1.1\r\nHost: drill\r\n\r\n'));
    socket.on('data', (chunk: string) => {
      text += chunk;
      const end = text.indexOf('\r\n\r\n');
      if (end < 0 || answeredAtMs !== undefined) return;
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(text)?.[1] ?? 0);
      if (text.length - end - 4 < length) return;
      answeredAtMs = performance.now();
      const hint = /\r\nkeep-alive:\s*timeout=(\d+)/i.exec(text)?.[1];
      hintS = hint === undefined ? undefined : Number(hint);
      clearTimeout(timer);
      setTimeout(() => finish(undefined), capMs).unref();
    });
    const closed = () => {
      if (answeredAtMs === undefined) return finish(undefined);
      finish(Math.round(performance.now() - answeredAtMs));
    };
    socket.on('end', closed);
    socket.on('close', closed);
    socket.on('error', () => {});
  });
}
