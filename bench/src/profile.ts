import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { OwnLines, type PositionTick } from './own-lines.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
  positionTicks?: PositionTick[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  busyMs: number;
  /** Garbage collection: lameduck's allocations show up here, not in its own frames. */
  gcMs: number;
  /** Time in lameduck's code and in the Node internals it called: what lameduck costs. */
  lameduckInclusiveMs: number;
  /**
   * Framework code the optimiser inlined into lameduck's functions (see `OwnLines`): sampled on
   * lameduck's frames, but the framework's work, so not in `lameduckInclusiveMs`.
   */
  inlinedFrameworkMs: number;
  /** The functions of lameduck's own code on top of the stack, most expensive first. */
  lameduckSelf: { name: string; where: string; ms: number }[];
  /** The Node internals lameduck called, most expensive first. */
  lameduckCallees: { name: string; where: string; ms: number }[];
  /** Filled in when the number of requests the child served is known. */
  servedRequests?: number;
  busyUsPerRequest?: number;
  gcUsPerRequest?: number;
  lameduckUsPerRequest?: number;
}

const isWorkspaceLameduck = (url: string) =>
  /\/packages\/(core|express|koa|hono)\/dist\//.test(url) || url.includes('@lameduck');
/**
 * lameduck follows HTTP/1 requests on Node's diagnostics channels: the time Node spends
 * publishing to them is its cost too (the bench's servers have no other subscriber).
 */
const isLameduckChannel = (frame: ProfileNode['callFrame']) =>
  frame.url === 'node:diagnostics_channel' && frame.functionName === 'publish';
const IDLE = new Set(['(idle)']);

interface Analysis {
  busyUs: number;
  gcUs: number;
  lameduckUs: number;
  inlinedUs: number;
  self: Map<string, number>;
  callees: Map<string, number>;
}

function analyse(file: string, extraRoots: readonly string[]): Analysis {
  // Another build of core (--baseline-core) is lameduck's code too.
  const isLameduck = (url: string) =>
    isWorkspaceLameduck(url) || extraRoots.some((root) => url.includes(root));
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const analysis: Analysis = {
    busyUs: 0,
    gcUs: 0,
    lameduckUs: 0,
    inlinedUs: 0,
    self: new Map(),
    callees: new Map(),
  };
  const ownLines = new OwnLines(
    profile.nodes.map((node) => node.callFrame.url).filter((url) => url !== '' && isLameduck(url)),
  );
  const ownShares = new Map<ProfileNode, number>();
  const ownShare = (node: ProfileNode) => {
    let share = ownShares.get(node);
    if (share === undefined) {
      const { url, lineNumber, columnNumber } = node.callFrame;
      share = ownLines.ownShare(url, lineNumber, columnNumber, node.positionTicks);
      ownShares.set(node, share);
    }
    return share;
  };
  const label = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*\/(packages|node_modules)\//, '$1/').replace(/^file:\/\//, '');
    return `${functionName || '(anonymous)'}\t${file}:${lineNumber + 1}`;
  };
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const top = byId.get(id);
    if (!top || IDLE.has(top.callFrame.functionName)) return;
    analysis.busyUs += delta;
    if (top.callFrame.functionName === '(garbage collector)') analysis.gcUs += delta;
    // Walk down the stack from the top through Node internals and native frames only: the
    // samples end at a lameduck frame are its cost; an app or framework frame on the way means
    // lameduck only called next() into it, which is not its cost.
    let inLameduck = false;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      const url = frame?.url ?? '';
      if (isLameduck(url) || (frame !== undefined && isLameduckChannel(frame))) {
        inLameduck = true;
        break;
      }
      if (url !== '' && !url.startsWith('node:')) break;
    }
    if (!inLameduck) return;
    const key = label(top);
    if (!isLameduck(top.callFrame.url)) {
      analysis.lameduckUs += delta;
      analysis.callees.set(key, (analysis.callees.get(key) ?? 0) + delta);
      return;
    }
    const own = delta * ownShare(top);
    analysis.lameduckUs += own;
    analysis.inlinedUs += delta - own;
    analysis.self.set(key, (analysis.self.get(key) ?? 0) + own);
  });
  return analysis;
}

function summarise(file: string, analysis: Analysis): ProfileSummary {
  const ranked = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([key, us]) => {
        const [name = '', where = ''] = key.split('\t');
        return { name, where, ms: Math.round(us / 100) / 10 };
      });
  return {
    file,
    busyMs: Math.round(analysis.busyUs / 100) / 10,
    gcMs: Math.round(analysis.gcUs / 100) / 10,
    lameduckInclusiveMs: Math.round(analysis.lameduckUs / 100) / 10,
    inlinedFrameworkMs: Math.round(analysis.inlinedUs / 100) / 10,
    lameduckSelf: ranked(analysis.self),
    lameduckCallees: ranked(analysis.callees),
  };
}

/** Where a CPU profile spent its busy time, and how much of it lameduck accounts for. */
export function summariseProfile(file: string, extraRoots: readonly string[] = []): ProfileSummary {
  return summarise(file, analyse(file, extraRoots));
}

/** `overhead-node-bare-round3.cpuprofile` → `overhead-node-bare`: one child's rounds. */
export function profileGroup(file: string): string {
  return basename(file, '.cpuprofile').replace(/-round\d+$/, '');
}

/** One summary per server child: the profiles of its rounds added up. */
export function summariseProfiles(directory: string, extraRoots: readonly string[] = []): ProfileSummary[] {
  const groups = new Map<string, Analysis>();
  for (const name of readdirSync(directory)
    .filter((entry) => entry.endsWith('.cpuprofile'))
    .sort()) {
    const analysis = analyse(join(directory, name), extraRoots);
    const group = profileGroup(name);
    const sum = groups.get(group);
    if (sum === undefined) {
      groups.set(group, analysis);
      continue;
    }
    sum.busyUs += analysis.busyUs;
    sum.gcUs += analysis.gcUs;
    sum.lameduckUs += analysis.lameduckUs;
    sum.inlinedUs += analysis.inlinedUs;
    for (const key of ['self', 'callees'] as const) {
      for (const [frame, us] of analysis[key]) sum[key].set(frame, (sum[key].get(frame) ?? 0) + us);
    }
  }
  return [...groups].map(([group, analysis]) => summarise(join(directory, group), analysis));
}

export function formatProfiles(summaries: readonly ProfileSummary[]): string {
  const lines: string[] = [];
  for (const summary of summaries) {
    const share = summary.busyMs === 0 ? 0 : (summary.lameduckInclusiveMs / summary.busyMs) * 100;
    const perRequest =
      summary.servedRequests === undefined
        ? ''
        : `; per request (${summary.servedRequests}): ${summary.busyUsPerRequest} µs busy, ${summary.gcUsPerRequest} µs GC, ${summary.lameduckUsPerRequest} µs in lameduck`;
    lines.push(
      `${summary.file}: busy ${summary.busyMs} ms (GC ${summary.gcMs} ms), in lameduck ${summary.lameduckInclusiveMs} ms (${share.toFixed(1)}%)${perRequest}`,
    );
    if (summary.inlinedFrameworkMs > 0) {
      lines.push(
        `  framework code inlined into lameduck's frames, not counted: ${summary.inlinedFrameworkMs} ms`,
      );
    }
    for (const entry of summary.lameduckSelf)
      lines.push(`  self   ${entry.ms} ms  ${entry.name}  ${entry.where}`);
    for (const entry of summary.lameduckCallees)
      lines.push(`  callee ${entry.ms} ms  ${entry.name}  ${entry.where}`);
  }
  return lines.join('\n');
}
