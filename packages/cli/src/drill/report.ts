import { MODE_LABELS } from './modes.js';
import type { RunResult } from './run.js';
import type { DrillEvent } from './timeline.js';

// A timeline per run, drawn to scale: answers per second by version, failures per second by
// kind, and every pod's lane — starting, ready, in the Service's endpoints, preStop, draining.
// Every run shares one time axis, counted from its rollout's start, so that the runs line up.
// Labels live in the left margin, in a strip of their own above the bars, or under the axis:
// never on a bar. The SVG scales to its container: the page fits a 1,000-pixel-wide window.

const WIDTH = 960;
const LEFT = 150;
const RIGHT = 20;
const BIN_MS = 250;
const RATE_HEIGHT = 110;
const FAIL_HEIGHT = 60;
const LANE = 18;
/** Rows for the rollout markers' labels, between the title and the first panel. */
const MARKER_ROW = 13;
/** A character of the 11 px labels is about this wide; longer labels are cut to fit the margin. */
const CHAR_PX = 6.2;

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

/** The shared time axis: milliseconds from each run's rollout start, from `fromMs` to `toMs`. */
interface Axis {
  fromMs: number;
  toMs: number;
}

/** When a run's rollout started (its axis origin); 0 when it never did. */
function originOf(run: RunResult): number {
  return run.events.find((event) => event.kind === 'rollout-started')?.atMs ?? 0;
}

/** One axis for every run: from the earliest load start to the latest end, around the rollouts' starts. */
export function sharedAxis(runs: readonly RunResult[]): Axis {
  let fromMs = 0;
  let toMs = 1000;
  for (const run of runs) {
    const origin = originOf(run);
    const loadStart = run.events.find((event) => event.kind === 'load-started')?.atMs ?? origin;
    const end = Math.max(
      origin,
      ...run.records.map((record) => record.endMs),
      ...run.events.map((event) => event.atMs),
    );
    fromMs = Math.min(fromMs, loadStart - origin);
    toMs = Math.max(toMs, end - origin);
  }
  return { fromMs, toMs };
}

/** An SVG for each run, one under the other, in one document, on one time axis. */
export function svgReport(runs: readonly RunResult[]): string {
  const axis = sharedAxis(runs);
  let y = 24;
  const parts: string[] = [];
  for (const run of runs) {
    const { svg, height } = runTimeline(run, axis);
    parts.push(`<g class="run" transform="translate(0 ${y})">${svg}</g>`);
    y += height + 20;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" font-family="system-ui, sans-serif" font-size="11">\n${legend()}\n${parts.join('\n')}\n</svg>\n`;
}

export function htmlReport(runs: readonly RunResult[]): string {
  const title = `lameduck drill: ${runs.map((run) => `${MODE_LABELS[run.mode]} ${run.failed}/${run.requests} failed`).join(', ')}`;
  const networks = [...new Set(runs.map((run) => run.network))].join(', ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeXml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:16px;color:#222;max-width:960px}h1{font-size:1.3em}svg{display:block;width:100%;height:auto}</style>
</head><body>
<h1>${escapeXml(title)}</h1>
<p>Network: ${escapeXml(networks)}. Each run, on one time axis counted from its rollout's start: answers per second through
the Service (by the version that answered), failed requests per second, and each pod's lane — grey starting, coloured
ready, a dark line while the Service sends it new connections, orange in preStop, purple from SIGTERM to exit.</p>
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
      const item = `<rect class="key" x="${x}" y="6" width="10" height="10" fill="${colour}"/><text x="${x + 14}" y="15">${label}</text>`;
      x += 24 + label.length * CHAR_PX;
      return item;
    })
    .join('');
}

function runTimeline(run: RunResult, axis: Axis): { svg: string; height: number } {
  const origin = originOf(run);
  const span = axis.toMs - axis.fromMs;
  /** x of a time on the run's own clock. */
  const x = (ms: number) => LEFT + ((WIDTH - LEFT - RIGHT) * (ms - origin - axis.fromMs)) / span;
  const bins = Math.ceil(span / BIN_MS);
  const binOf = (ms: number) =>
    Math.min(bins - 1, Math.max(0, Math.floor((ms - origin - axis.fromMs) / BIN_MS)));
  const binStart = (bin: number) => origin + axis.fromMs + bin * BIN_MS;
  const answered = { v1: new Array<number>(bins).fill(0), v2: new Array<number>(bins).fill(0) };
  const failed = new Array<number>(bins).fill(0);
  for (const record of run.records) {
    const bin = binOf(record.endMs);
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
  let top = 14;
  parts.push(
    `<text class="title" x="10" y="${top}" font-size="14" font-weight="bold">${escapeXml(MODE_LABELS[run.mode])} — ${escapeXml(run.service)}: ${run.requests} requests, ${run.failed} failed, p99 ${run.latencyMs.p99} ms</text>`,
  );
  top += 8;

  // The rollout's start and end: labels in their own strip, a second row when they would touch.
  const markers = run.events
    .filter((event) => event.kind === 'rollout-started' || event.kind === 'rollout-complete')
    .map((event) => ({
      at: x(event.atMs),
      text: event.kind === 'rollout-started' ? 'rollout starts' : 'rollout complete',
    }));
  let rowEnd = Number.NEGATIVE_INFINITY;
  let rows = 1;
  const markerLabels: string[] = [];
  for (const marker of markers) {
    const width = marker.text.length * CHAR_PX;
    // Anchored at the line, or ending at it when it would run off the right edge.
    const anchorEnd = marker.at + 3 + width > WIDTH - 2;
    const left = anchorEnd ? marker.at - 3 - width : marker.at + 3;
    const row = left > rowEnd + 6 ? 0 : 1;
    if (row === 1) rows = 2;
    if (row === 0) rowEnd = left + width;
    markerLabels.push(
      `<text class="marker" x="${(anchorEnd ? marker.at - 3 : marker.at + 3).toFixed(1)}" y="${top + MARKER_ROW * (row + 1) - 3}"${anchorEnd ? ' text-anchor="end"' : ''} fill="${COLOURS.axis}">${marker.text}</text>`,
    );
  }
  parts.push(...markerLabels);
  const panelsTop = top;
  top += MARKER_ROW * rows + 4;

  // Answers per second, stacked by version.
  parts.push(label(top + RATE_HEIGHT / 2, `answers/s (max ${Math.round(maxRate)})`));
  const barWidth = Math.max(1, x(BIN_MS) - x(0) - 0.5);
  for (let bin = 0; bin < bins; bin += 1) {
    const v1 = ((answered.v1[bin] ?? 0) * perSecond * RATE_HEIGHT) / maxRate;
    const v2 = ((answered.v2[bin] ?? 0) * perSecond * RATE_HEIGHT) / maxRate;
    const left = x(binStart(bin));
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
    parts.push(rect(x(binStart(bin)), top + FAIL_HEIGHT - height, barWidth, height, COLOURS.failed));
  }
  top += FAIL_HEIGHT + 10;

  // One lane per pod.
  const lanes = podLanes(run.events, origin + axis.toMs);
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
      // Cut at the axis' ends, as the bars are.
      const from = Math.max(LEFT, x(span.from));
      const to = Math.min(WIDTH - RIGHT, x(span.to));
      if (to <= from) continue;
      parts.push(
        `<line class="endpoint" x1="${from.toFixed(1)}" x2="${to.toFixed(1)}" y1="${top + LANE - 2}" y2="${top + LANE - 2}" stroke="${COLOURS.endpoint}" stroke-width="2"/>`,
      );
    }
    top += LANE;
  }

  // The axis, shared by every run: seconds from the rollout's start.
  top += 4;
  parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${top}" y2="${top}" stroke="${COLOURS.axis}"/>`);
  const step = span > 60_000 ? 10_000 : span > 20_000 ? 5_000 : 1_000;
  for (let ms = Math.ceil(axis.fromMs / step) * step; ms <= axis.toMs; ms += step) {
    parts.push(
      `<text class="tick" data-ms="${ms}" x="${x(origin + ms).toFixed(1)}" y="${top + 12}" text-anchor="middle" fill="${COLOURS.axis}">${ms / 1000} s</text>`,
    );
  }
  for (const marker of markers) {
    parts.push(
      `<line x1="${marker.at.toFixed(1)}" x2="${marker.at.toFixed(1)}" y1="${panelsTop}" y2="${top}" stroke="${COLOURS.axis}" stroke-dasharray="3 3"/>`,
    );
  }
  return { svg: parts.join('\n'), height: top + 16 };
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

/** A bar, cut at the axis' ends. */
function rect(x: number, y: number, width: number, height: number, fill: string): string {
  const left = Math.max(LEFT, x);
  width = Math.max(0.5, Math.min(x + width, WIDTH - RIGHT) - left);
  x = left;
  return `<rect class="bar" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${width.toFixed(1)}" height="${height.toFixed(1)}" fill="${fill}"/>`;
}

/** A label in the left margin, cut short (…) when it would reach the bars. */
function label(y: number, text: string): string {
  const room = Math.floor((LEFT - 14) / CHAR_PX);
  const shown = text.length > room ? `${text.slice(0, room - 1)}…` : text;
  return `<text class="label" x="${LEFT - 8}" y="${y + 4}" text-anchor="end">${escapeXml(shown)}</text>`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
