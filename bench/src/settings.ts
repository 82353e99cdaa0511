import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FRAMEWORKS, type Framework, type Variant } from './spec.js';

export const SCENARIOS = ['overhead', 'probe-cost', 'probes', 'shutdown', 'memory', 'doctor-scale'] as const;
export type Scenario = (typeof SCENARIOS)[number];
export type Mode = 'full' | 'quick' | 'smoke';

export interface ShutdownCondition {
  idleConnections: number;
  /**
   * How long the idle connections stay quiet before SIGTERM. 0: they each answered a request
   * just before (as on a busy server); lameduck gives sockets active within its idle grace
   * (1 s) the rest of it to send a last request, so a quiet run shows the time without that.
   */
  quietMs: number;
  /** Only these variants (default: all). */
  variants?: Variant[];
  /** lameduck's idle grace for this condition (its 1000 ms default when absent). */
  idleGraceMs?: number;
  /** The servers' keep-alive timeout for this condition (each one's default when absent). */
  keepAliveTimeoutMs?: number;
}

/**
 * keep-alive: a 65 s keep-alive timeout (lameduck's default, set on the bare server too) must not
 * hold the exit: lameduck against a bare server.close() + closeIdleConnections().
 */
const KEEP_ALIVE_CONDITION: ShutdownCondition = {
  idleConnections: 1000,
  quietMs: 1100,
  variants: ['lameduck', 'close-idle'],
  keepAliveTimeoutMs: 65_000,
};

export interface Settings {
  mode: Mode;
  scenarios: Scenario[];
  frameworks: Framework[];
  json: boolean;
  /** Also write the JSON document to this file (tables still go to stdout). */
  out?: string;
  /** Pin the parent to CPU 0 and each server child to CPU 1 (needs 2+ CPUs and taskset). */
  pin: boolean;
  /** Write a CPU profile of each overhead server child and summarise where its time went. */
  cpuProf: boolean;
  /**
   * Overhead server children run with V8's inlining off (`--no-turbo-inlining`): slower, but
   * every profile sample lands on the function that spent it, so lameduck's share is exact.
   */
  noInlining: boolean;
  /** Add node:http variants with only lameduck's connection tracking, and only its probe matching. */
  breakdown: boolean;
  /** overhead, probe-cost, shutdown: also measure core loaded from this dist directory (a build from before a change). */
  baselineCore?: string;
  /** doctor-scale: run this `lameduck` command file instead of the workspace's (a build from before a change). */
  doctorCli?: string;
  overhead: {
    rounds: number;
    connections: number;
    /** Each measured run lasts durationS, or serves `amount` requests when set (smoke). */
    durationS: number;
    amount?: number;
    /**
     * Requests in flight per connection. One autocannon process cannot keep a node:http hello
     * world busy with one request per connection; pipelined requests let it saturate the server.
     */
    pipelining: number;
    /**
     * Requests served before measuring: a count rather than a time, because a slow framework
     * needs as many requests as a fast one before its JIT settles (Express takes seconds).
     */
    warmupRequests: number;
  };
  probes: {
    rounds: number;
    connections: number;
    durationS: number;
    amount?: number;
    checkMs: number;
  };
  shutdown: {
    rounds: number;
    conditions: ShutdownCondition[];
    inFlightMs: number;
  };
  memory: {
    warmupRequests: number;
    requests: number;
    connections: number;
  };
  doctorScale: {
    /** Deployment+Service pairs in one file, one run each. */
    pairs: number[];
    /** One file of small ConfigMaps this large (0: none). */
    largeInputBytes: number;
  };
}

/** Enough in flight per connection for one load generator CPU to keep one server CPU busy. */
const PIPELINING = 8;

const FULL: Omit<
  Settings,
  | 'mode'
  | 'scenarios'
  | 'frameworks'
  | 'json'
  | 'out'
  | 'pin'
  | 'cpuProf'
  | 'noInlining'
  | 'breakdown'
  | 'baselineCore'
  | 'doctorCli'
> = {
  overhead: { rounds: 7, connections: 50, pipelining: PIPELINING, durationS: 1, warmupRequests: 20_000 },
  probes: { rounds: 3, connections: 1000, durationS: 1.5, checkMs: 50 },
  shutdown: {
    rounds: 3,
    conditions: [
      { idleConnections: 10, quietMs: 0 },
      { idleConnections: 1000, quietMs: 0 },
      { idleConnections: 1000, quietMs: 1100, variants: ['lameduck', 'http-terminator'] },
      // What the idle grace costs: the same busy sockets with it turned off.
      { idleConnections: 1000, quietMs: 0, variants: ['lameduck'], idleGraceMs: 0 },
      KEEP_ALIVE_CONDITION,
    ],
    inFlightMs: 200,
  },
  memory: { warmupRequests: 20_000, requests: 1_000_000, connections: 10_000 },
  doctorScale: { pairs: [500, 1_000, 2_000, 4_000], largeInputBytes: 50_000_000 },
};

const QUICK: typeof FULL = {
  overhead: { rounds: 3, connections: 50, pipelining: PIPELINING, durationS: 0.3, warmupRequests: 5_000 },
  probes: { rounds: 1, connections: 1000, durationS: 1, checkMs: 50 },
  // One N only: the naive server.close() alone takes 6 s a run (it waits out the keep-alive timeout).
  shutdown: {
    rounds: 1,
    conditions: [
      { idleConnections: 1000, quietMs: 0 },
      { idleConnections: 1000, quietMs: 1100, variants: ['lameduck', 'http-terminator'] },
      KEEP_ALIVE_CONDITION,
    ],
    inFlightMs: 200,
  },
  memory: { warmupRequests: 5_000, requests: 50_000, connections: 1_000 },
  doctorScale: { pairs: [500, 1_000], largeInputBytes: 10_000_000 },
};

/** Proves the harness runs end to end (the test uses it); its figures mean nothing. */
const SMOKE: typeof FULL = {
  overhead: { rounds: 1, connections: 5, pipelining: 1, durationS: 0, amount: 200, warmupRequests: 20 },
  probes: { rounds: 1, connections: 50, durationS: 0, amount: 200, checkMs: 50 },
  shutdown: {
    rounds: 1,
    conditions: [
      { idleConnections: 10, quietMs: 0 },
      { idleConnections: 10, quietMs: 100, variants: ['lameduck'] },
    ],
    inFlightMs: 100,
  },
  memory: { warmupRequests: 100, requests: 300, connections: 30 },
  doctorScale: { pairs: [20, 40], largeInputBytes: 100_000 },
};

export const USAGE = `Usage: pnpm bench [--] [options]

  --quick                 under a minute: fewer rounds, shorter runs, smaller counts
  --smoke                 a few hundred requests per scenario: proves the harness runs
  --json                  print one JSON document (machine, settings, rows) instead of tables
  --out=FILE              also write that JSON document to FILE
  --scenarios=a,b         ${SCENARIOS.join(', ')} (default: all)
  --frameworks=a,b        ${FRAMEWORKS.join(', ')} (default: all)
  --rounds=N              rounds per scenario (overhead, probes, shutdown)
  --duration=S            seconds per measured overhead run
  --memory-requests=N     requests before the second heap reading (default 1,000,000)
  --memory-connections=N  connections opened and closed (default 10,000)
  --cpu-prof              profile each overhead server child; print where lameduck's time goes
  --no-inlining           overhead server children run with V8's inlining off: slower, but each
                          profile sample is charged to the function that spent it (a cross-check
                          of --cpu-prof's share, which must tell inlined framework code apart)
  --pipelining=N          overhead and probe-cost: requests in flight per connection (default 8)
  --baseline-core=DIR     overhead, probe-cost and shutdown: also run lameduck on node:http with
                          core loaded from DIR (a dist built before a change), in the same rounds
  --doctor-cli=FILE       doctor-scale: run this lameduck command (dist/cli.js of a build from
                          before a change) instead of the workspace's
  --doctor-pairs=a,b      doctor-scale: Deployment+Service pairs, one run each (default 500,1000,2000,4000)
  --doctor-large-mb=N     doctor-scale: size of the one file of small ConfigMaps (default 50; 0: none)
  --breakdown             overhead also for node:http with attach() alone and respondToNode() alone,
                          and for each framework with one no-op middleware
  --no-pin                do not pin the load generator and the server to separate CPUs
  --help                  this text`;

function list<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T[] {
  if (value === undefined) return [...allowed];
  const picked = value.split(',').map((item) => item.trim());
  for (const item of picked) {
    if (!allowed.includes(item as T)) throw new Error(`unknown ${name} "${item}"; use ${allowed.join(', ')}`);
  }
  return picked as T[];
}

function count(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value.replaceAll('_', ''));
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`--${name} needs a positive number`);
  return parsed;
}

export function parseSettings(argv: readonly string[]): Settings | 'help' {
  const { values } = parseArgs({
    args: argv.filter((arg) => arg !== '--'),
    options: {
      quick: { type: 'boolean', default: false },
      smoke: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      out: { type: 'string' },
      scenarios: { type: 'string' },
      frameworks: { type: 'string' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      'memory-requests': { type: 'string' },
      'memory-connections': { type: 'string' },
      'cpu-prof': { type: 'boolean', default: false },
      'no-inlining': { type: 'boolean', default: false },
      breakdown: { type: 'boolean', default: false },
      pipelining: { type: 'string' },
      'baseline-core': { type: 'string' },
      'doctor-cli': { type: 'string' },
      'doctor-pairs': { type: 'string' },
      'doctor-large-mb': { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const mode: Mode = values.smoke ? 'smoke' : values.quick ? 'quick' : 'full';
  const base = structuredClone(mode === 'smoke' ? SMOKE : mode === 'quick' ? QUICK : FULL);
  const rounds = count(values.rounds, 'rounds');
  if (rounds !== undefined) {
    base.overhead.rounds = Math.round(rounds);
    base.probes.rounds = Math.round(rounds);
    base.shutdown.rounds = Math.round(rounds);
  }
  const duration = count(values.duration, 'duration');
  if (duration !== undefined) {
    base.overhead.durationS = duration;
    delete base.overhead.amount;
  }
  const pipelining = count(values.pipelining, 'pipelining');
  if (pipelining !== undefined) base.overhead.pipelining = Math.round(pipelining);
  if (values['doctor-pairs'] !== undefined)
    base.doctorScale.pairs = values['doctor-pairs']
      .split(',')
      .map((item) => Math.round(count(item.trim(), 'doctor-pairs') ?? 0));
  if (values['doctor-large-mb'] !== undefined) {
    const megabytes = Number(values['doctor-large-mb']);
    if (!Number.isFinite(megabytes) || megabytes < 0)
      throw new Error('--doctor-large-mb needs a number of MB (0: none)');
    base.doctorScale.largeInputBytes = Math.round(megabytes * 1e6);
  }
  base.memory.requests = Math.round(
    count(values['memory-requests'], 'memory-requests') ?? base.memory.requests,
  );
  base.memory.connections = Math.round(
    count(values['memory-connections'], 'memory-connections') ?? base.memory.connections,
  );
  return {
    mode,
    scenarios: list(values.scenarios, SCENARIOS, 'scenario'),
    frameworks: list(values.frameworks, FRAMEWORKS, 'framework'),
    json: values.json,
    ...(values.out === undefined ? {} : { out: values.out }),
    pin: !values['no-pin'],
    cpuProf: values['cpu-prof'],
    noInlining: values['no-inlining'],
    breakdown: values.breakdown,
    ...(values['baseline-core'] === undefined ? {} : { baselineCore: resolve(values['baseline-core']) }),
    ...(values['doctor-cli'] === undefined ? {} : { doctorCli: resolve(values['doctor-cli']) }),
    ...base,
  };
}
