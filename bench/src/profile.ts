import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
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
const IDLE = new Set(['(idle)']);

/** Where a `--cpu-prof` profile spent its busy time, and how much of it lameduck accounts for. */
export function summariseProfile(file: string, extraRoots: readonly string[] = []): ProfileSummary {
  // Another build of core (--baseline-core) is lameduck's code too.
  const isLameduck = (url: string) =>
    isWorkspaceLameduck(url) || extraRoots.some((root) => url.includes(root));
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  let busyUs = 0;
  let gcUs = 0;
  let lameduckUs = 0;
  const self = new Map<string, number>();
  const callees = new Map<string, number>();
  const label = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*\/(packages|node_modules)\//, '$1/').replace(/^file:\/\//, '');
    return `${functionName || '(anonymous)'}\t${file}:${lineNumber + 1}`;
  };
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const top = byId.get(id);
    if (!top || IDLE.has(top.callFrame.functionName)) return;
    busyUs += delta;
    if (top.callFrame.functionName === '(garbage collector)') gcUs += delta;
    // Walk down the stack from the top through Node internals and native frames only: the
    // samples end at a lameduck frame are its cost; an app or framework frame on the way means
    // lameduck only called next() into it, which is not its cost.
    let inLameduck = false;
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const url = byId.get(at)?.callFrame.url ?? '';
      if (isLameduck(url)) {
        inLameduck = true;
        break;
      }
      if (url !== '' && !url.startsWith('node:')) break;
    }
    if (!inLameduck) return;
    lameduckUs += delta;
    const key = label(top);
    if (isLameduck(top.callFrame.url)) self.set(key, (self.get(key) ?? 0) + delta);
    else callees.set(key, (callees.get(key) ?? 0) + delta);
  });
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
    busyMs: Math.round(busyUs / 1000),
    gcMs: Math.round(gcUs / 1000),
    lameduckInclusiveMs: Math.round(lameduckUs / 1000),
    lameduckSelf: ranked(self),
    lameduckCallees: ranked(callees),
  };
}

export function summariseProfiles(directory: string, extraRoots: readonly string[] = []): ProfileSummary[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()
    .map((name) => summariseProfile(join(directory, name), extraRoots));
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
    for (const entry of summary.lameduckSelf)
      lines.push(`  self   ${entry.ms} ms  ${entry.name}  ${entry.where}`);
    for (const entry of summary.lameduckCallees)
      lines.push(`  callee ${entry.ms} ms  ${entry.name}  ${entry.where}`);
  }
  return lines.join('\n');
}
