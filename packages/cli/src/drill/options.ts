import { UsageError } from '../commands/command.js';
import { MODE_CHOICES, type ModeChoice } from './modes.js';

export const DEMOS = ['express', 'koa', 'hono', 'node', 'fastify', 'nestjs'] as const;
export type Demo = (typeof DEMOS)[number];

/** kernel: network namespaces and kube-proxy's iptables rules; userspace: a TCP proxy on 127.0.0.1. */
export const NETWORKS = ['auto', 'kernel', 'userspace'] as const;
export type NetworkChoice = (typeof NETWORKS)[number];

export interface DrillOptions {
  demo: Demo;
  manifest: string | undefined;
  /** The runs, in the order they are shown: baselines first, the service under test last. */
  modes: ModeChoice[];
  network: NetworkChoice;
  /** All runs at once instead of one after the other. */
  /** Runs at once; 'auto' (the default) decides from how busy the machine is when the drill starts. */
  parallel: boolean | 'auto';
  replicas: number | undefined;
  rate: number;
  lagMinMs: number;
  lagMaxMs: number;
  keepAliveClients: number;
  path: string;
  readyTimeoutMs: number;
  json: boolean;
  report: string | undefined;
  verbose: boolean;
  help: boolean;
  /**
   * Set by the drill itself when it starts again inside the node namespace it made for
   * `--network kernel` (not for people: not in the help).
   */
  nodeNamespace: string | undefined;
  /** A start command given after `--`, in place of a demo. */
  command: string[];
}

export const DEFAULTS = {
  rate: 400,
  lagMinMs: 1000,
  lagMaxMs: 5000,
  keepAliveClients: 20,
  readyTimeoutMs: 30_000,
} as const;

/** Options that take a value, and what they set. */
const VALUE_OPTIONS = new Set([
  '--demo',
  '--manifest',
  '--mode',
  '--network',
  '--replicas',
  '--rate',
  '--lag-ms',
  '--keep-alive-clients',
  '--path',
  '--ready-timeout',
  '--report',
  '--inside-node-namespace',
]);

export function parseDrillArgs(args: readonly string[]): DrillOptions {
  const options: DrillOptions = {
    demo: 'express',
    manifest: undefined,
    modes: [...MODE_CHOICES],
    network: 'auto',
    parallel: 'auto',
    replicas: undefined,
    rate: DEFAULTS.rate,
    lagMinMs: DEFAULTS.lagMinMs,
    lagMaxMs: DEFAULTS.lagMaxMs,
    keepAliveClients: DEFAULTS.keepAliveClients,
    path: '/',
    readyTimeoutMs: DEFAULTS.readyTimeoutMs,
    json: false,
    report: undefined,
    verbose: false,
    help: false,
    nodeNamespace: undefined,
    command: [],
  };
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg === '--') {
      options.command = args.slice(index + 1);
      if (options.command.length === 0) throw new UsageError('nothing after -- (expected a start command)');
      break;
    }
    const [name = '', inline] = arg.startsWith('--') ? splitInline(arg) : [arg, undefined];
    if (name === '--json') options.json = true;
    else if (name === '--verbose') options.verbose = true;
    else if (name === '--parallel') options.parallel = true;
    else if (name === '--sequential') options.parallel = false;
    else if (name === '-h' || name === '--help') options.help = true;
    else if (VALUE_OPTIONS.has(name)) {
      const value = inline ?? args[++index];
      if (value === undefined || (inline === undefined && value.startsWith('--')))
        throw new UsageError(`${name} needs a value (see lameduck drill --help)`);
      setValue(options, name, value);
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${arg} (see lameduck drill --help)`);
    } else {
      throw new UsageError(
        `unexpected argument ${arg}: put a start command after -- (see lameduck drill --help)`,
      );
    }
  }
  if (options.command.length > 0 && options.manifest === undefined)
    throw new UsageError('a start command needs --manifest <file> with its Deployment');
  return options;
}

function splitInline(arg: string): [string, string | undefined] {
  const equals = arg.indexOf('=');
  return equals === -1 ? [arg, undefined] : [arg.slice(0, equals), arg.slice(equals + 1)];
}

function setValue(options: DrillOptions, name: string, value: string): void {
  switch (name) {
    case '--demo':
      if (!(DEMOS as readonly string[]).includes(value))
        throw new UsageError(`--demo must be one of ${DEMOS.join(', ')}, got ${value}`);
      options.demo = value as Demo;
      return;
    case '--manifest':
      options.manifest = value;
      return;
    case '--mode':
      options.modes = parseModes(value);
      return;
    case '--network':
      if (!(NETWORKS as readonly string[]).includes(value))
        throw new UsageError(`--network must be one of ${NETWORKS.join(', ')}, got ${value}`);
      options.network = value as NetworkChoice;
      return;
    case '--replicas':
      options.replicas = whole(name, value, 1, 20);
      return;
    case '--rate':
      options.rate = whole(name, value, 1, 5000);
      return;
    case '--lag-ms': {
      const range = /^(\d+)(?:-(\d+))?$/.exec(value);
      if (!range)
        throw new UsageError(`--lag-ms must be milliseconds (2000) or a range (1000-5000), got ${value}`);
      options.lagMinMs = Number(range[1]);
      options.lagMaxMs = Number(range[2] ?? range[1]);
      if (options.lagMaxMs < options.lagMinMs)
        throw new UsageError(`--lag-ms range ${value} ends before it starts`);
      return;
    }
    case '--keep-alive-clients':
      options.keepAliveClients = whole(name, value, 0, 500);
      return;
    case '--path':
      if (!value.startsWith('/')) throw new UsageError(`--path must start with /, got ${value}`);
      options.path = value;
      return;
    case '--ready-timeout':
      options.readyTimeoutMs = whole(name, value, 1, 3600) * 1000;
      return;
    case '--inside-node-namespace':
      if (!/^lameduck-drill-\d+-node$/.test(value))
        throw new UsageError(`--inside-node-namespace is the drill's own, got ${value}`);
      options.nodeNamespace = value;
      return;
    case '--report':
      if (!/\.(html|svg)$/i.test(value))
        throw new UsageError(`--report must name an .html or .svg file, got ${value}`);
      options.report = value;
      return;
  }
}

/** `all`, or a comma-separated list of runs; `service` is another name for the service under test. */
function parseModes(value: string): ModeChoice[] {
  if (value === 'all') return [...MODE_CHOICES];
  const asked = new Set<ModeChoice>();
  for (const part of value.split(',')) {
    const name = part.trim() === 'service' ? 'lameduck' : part.trim();
    if (!(MODE_CHOICES as readonly string[]).includes(name))
      throw new UsageError(
        `--mode must be all or a comma-separated list of ${MODE_CHOICES.join(', ')} (or service), got ${value}`,
      );
    asked.add(name as ModeChoice);
  }
  return MODE_CHOICES.filter((mode) => asked.has(mode));
}

function whole(name: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max)
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
  return number;
}
