import { MODE_LABELS } from './modes.js';
import type { RunResult } from './run.js';
import type { DrillEvent } from './timeline.js';

// A timeline per run, drawn to scale: answers per second by version, failures per second by
// kind, and every pod's lane — starting, ready, in the Service's endpoints, preStop, draining.

const WIDTH = 960;
const LEFT = 150;
const RIGHT = 20;
const BIN_MS = 250;
const RATE_HEIGHT = 110;
const FAIL_HEIGHT = 60;
const LANE = 18;

const COLOURS = {
  v1: '#4e79a7',
  v2: '#59a14f',
  failed: '#e15759',
  starting: '#bab0ac',
  preStop: '#f28e2b',
  draining: '#b07aa1',
  endpoint: '#222',
  axis: '#888',
};

/** An SVG for each run, one under the other, in one document. */
export function svgReport(runs: readonly RunResult[]): string {
  let y = 10;
  const parts: string[] = [];
  for (const run of runs) {
    const { svg, height } = runTimeline(run);
    parts.push(`<g transform="translate(0 ${y})">${svg}</g>`);
    y += height + 20;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="system-ui, sans-serif" font-size="11">\n${legend()}\n${parts.join('\n')}\n</svg>\n`;
}

export function htmlReport(runs: readonly RunResult[]): string {
  const title = `lameduck drill: ${runs.map((run) => `${MODE_LABELS[run.mode]} ${run.failed}/${run.requests} failed`).join(', ')}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}svg{display:block;margin-bottom:2em}</style>
</head><body>
<h1>${escapeXml(title)}</h1>
<p>Each run: answers per second through the Service (by the version that answered), failed requests per
second, and each pod's lane — grey starting, coloured ready, a dark line while kube-proxy sends it new
connections, orange in preStop, purple from SIGTERM to exit.</p>
${svgReport(runs)}
</body></html>
`;
}

function legend(): string {
  const items: [string, string][] = [
    ['v1 answers / ready', COLOURS.v1],
    ['v2 answers / ready', COLOURS.v2],
    ['failed', COLOURS.failed],
    ['starting', COLOURS.starting],
    ['preStop', COLOURS.preStop],
    ['SIGTERM → exit', COLOURS.draining],
    ['in endpoints', COLOURS.endpoint],
  ];
  let x = 10;
  return items
    .map(([label, colour]) => {
      const item = `<rect x="${x}" y="6" width="10" height="10" fill="${colour}"/><text x="${x + 14}" y="15">${label}</text>`;
      x += 30 + label.length * 6.5;
      return item;
    })
    .join('');
}

function runTimeline(run: RunResult): { svg: string; height: number } {
  const end = Math.max(
    1000,
    ...run.records.map((record) => record.endMs),
    ...run.events.map((event) => event.atMs),
  );
  const x = (ms: number) => LEFT + ((WIDTH - LEFT - RIGHT) * ms) / end;
  const bins = Math.ceil(end / BIN_MS);
  const answered = { v1: new Array<number>(bins).fill(0), v2: new Array<number>(bins).fill(0) };
  const failed = new Array<number>(bins).fill(0);
  for (const record of run.records) {
    const bin = Math.min(bins - 1, Math.floor(record.endMs / BIN_MS));
    if (record.failure) failed[bin] = (failed[bin] ?? 0) + 1;
    else if (record.version === 'v1' || record.version === 'v2') {
      const counts = answered[record.version];
      counts[bin] = (counts[bin] ?? 0) + 1;
    }
  }
  const perSecond = 1000 / BIN_MS;
  const maxRate = Math.max(
    1,
    ...answered.v1.map((count, bin) => (count + (answered.v2[bin] ?? 0)) * perSecond),
  );
  const maxFailed = Math.max(1, ...failed.map((count) => count * perSecond));
  const parts: string[] = [];
  let top = 30;
  parts.push(
    `<text x="10" y="${top}" font-size="14" font-weight="bold">${escapeXml(MODE_LABELS[run.mode])} — ${escapeXml(run.service)}: ${run.requests} requests, ${run.failed} failed, p99 ${run.latencyMs.p99} ms</text>`,
  );
  top += 12;

  // Answers per second, stacked by version.
  parts.push(label(top + RATE_HEIGHT / 2, `answers/s (max ${Math.round(maxRate)})`));
  const barWidth = Math.max(1, x(BIN_MS) - x(0) - 0.5);
  for (let bin = 0; bin < bins; bin += 1) {
    const v1 = ((answered.v1[bin] ?? 0) * perSecond * RATE_HEIGHT) / maxRate;
    const v2 = ((answered.v2[bin] ?? 0) * perSecond * RATE_HEIGHT) / maxRate;
    const left = x(bin * BIN_MS);
    if (v1 > 0) parts.push(rect(left, top + RATE_HEIGHT - v1, barWidth, v1, COLOURS.v1));
    if (v2 > 0) parts.push(rect(left, top + RATE_HEIGHT - v1 - v2, barWidth, v2, COLOURS.v2));
  }
  top += RATE_HEIGHT + 8;

  // Failures per second.
  parts.push(label(top + FAIL_HEIGHT / 2, `failed/s (max ${Math.round(maxFailed)})`));
  parts.push(
    `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${top + FAIL_HEIGHT}" y2="${top + FAIL_HEIGHT}" stroke="${COLOURS.axis}"/>`,
  );
  for (let bin = 0; bin < bins; bin += 1) {
    const count = failed[bin] ?? 0;
    if (count === 0) continue;
    const height = Math.max(2, (count * perSecond * FAIL_HEIGHT) / maxFailed);
    parts.push(rect(x(bin * BIN_MS), top + FAIL_HEIGHT - height, barWidth, height, COLOURS.failed));
  }
  top += FAIL_HEIGHT + 10;

  // One lane per pod.
  const lanes = podLanes(run.events, end);
  for (const lane of lanes) {
    parts.push(label(top + LANE / 2, lane.pod));
    for (const segment of lane.segments) {
      parts.push(
        rect(
          x(segment.from),
          top + 2,
          Math.max(1, x(segment.to) - x(segment.from)),
          LANE - 6,
          segment.colour,
        ),
      );
    }
    for (const span of lane.inEndpoints) {
      parts.push(
        `<line x1="${x(span.from)}" x2="${x(span.to)}" y1="${top + LANE - 2}" y2="${top + LANE - 2}" stroke="${COLOURS.endpoint}" stroke-width="2"/>`,
      );
    }
    top += LANE;
  }

  // Axis and the rollout's start and end.
  top += 4;
  parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${top}" y2="${top}" stroke="${COLOURS.axis}"/>`);
  const step = end > 60_000 ? 10_000 : end > 20_000 ? 5_000 : 1_000;
  for (let ms = 0; ms <= end; ms += step) {
    parts.push(
      `<text x="${x(ms)}" y="${top + 12}" text-anchor="middle" fill="${COLOURS.axis}">${ms / 1000} s</text>`,
    );
  }
  for (const event of run.events) {
    if (event.kind !== 'rollout-started' && event.kind !== 'rollout-complete') continue;
    parts.push(
      `<line x1="${x(event.atMs)}" x2="${x(event.atMs)}" y1="42" y2="${top}" stroke="${COLOURS.axis}" stroke-dasharray="3 3"/>`,
      `<text x="${x(event.atMs) + 3}" y="52" fill="${COLOURS.axis}">${event.kind === 'rollout-started' ? 'rollout starts' : 'rollout complete'}</text>`,
    );
  }
  return { svg: parts.join('\n'), height: top + 20 };
}

interface Lane {
  pod: string;
  segments: { from: number; to: number; colour: string }[];
  inEndpoints: { from: number; to: number }[];
}

/** Each pod's states over time, from the run's events. */
export function podLanes(events: readonly DrillEvent[], endMs: number): Lane[] {
  const lanes = new Map<
    string,
    Lane & { state: string; since: number; version: string; endpointSince?: number }
  >();
  const close = (lane: Lane & { state: string; since: number; version: string }, at: number) => {
    const colour =
      lane.state === 'starting'
        ? COLOURS.starting
        : lane.state === 'ready'
          ? lane.version === 'v2'
            ? COLOURS.v2
            : COLOURS.v1
          : lane.state === 'preStop'
            ? COLOURS.preStop
            : lane.state === 'draining'
              ? COLOURS.draining
              : '';
    if (colour && at > lane.since) lane.segments.push({ from: lane.since, to: at, colour });
  };
  const move = (pod: string, state: string, at: number) => {
    const lane = lanes.get(pod);
    if (!lane || lane.state === state) return;
    close(lane, at);
    lane.state = state;
    lane.since = at;
  };
  for (const event of events) {
    const pod = event.pod;
    if (event.kind === 'pod-created' && pod) {
      lanes.set(pod, {
        pod,
        segments: [],
        inEndpoints: [],
        state: 'starting',
        since: event.atMs,
        version: event.detail ?? 'v1',
      });
    } else if (event.kind === 'pod-ready' && pod && lanes.get(pod)?.state === 'starting') {
      move(pod, 'ready', event.atMs);
    } else if (event.kind === 'pod-deleted' && pod) {
      move(pod, 'preStop', event.atMs);
    } else if (event.kind === 'sigterm' && pod) {
      move(pod, 'draining', event.atMs);
    } else if (event.kind === 'pod-exited' && pod && lanes.get(pod)?.state === 'draining') {
      move(pod, 'gone', event.atMs);
    } else if (event.kind === 'endpoints-applied') {
      const ready = new Set((event.detail ?? '').replace(/^ready: /, '').split(', '));
      for (const lane of lanes.values()) {
        if (ready.has(lane.pod) && lane.endpointSince === undefined) lane.endpointSince = event.atMs;
        if (!ready.has(lane.pod) && lane.endpointSince !== undefined) {
          lane.inEndpoints.push({ from: lane.endpointSince, to: event.atMs });
          lane.endpointSince = undefined;
        }
      }
    }
  }
  for (const lane of lanes.values()) {
    close(lane, endMs);
    if (lane.endpointSince !== undefined) lane.inEndpoints.push({ from: lane.endpointSince, to: endMs });
  }
  return [...lanes.values()].map(({ pod, segments, inEndpoints }) => ({ pod, segments, inEndpoints }));
}

function rect(x: number, y: number, width: number, height: number, fill: string): string {
  return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${width.toFixed(1)}" height="${height.toFixed(1)}" fill="${fill}"/>`;
}

function label(y: number, text: string): string {
  return `<text x="${LEFT - 8}" y="${y + 4}" text-anchor="end">${escapeXml(text)}</text>`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
