import { UsageError } from '../commands/command.js';
import { readCommandLine } from '../commands/command-line.js';
import { MODE_CHOICES, type ModeChoice } from './modes.js';

export const DEMOS = ['express', 'koa', 'hono', 'node', 'fastify', 'nestjs'] as const;
export type Demo = (typeof DEMOS)[number];

/** kernel: network namespaces and kube-proxy's iptables rules; userspace: a TCP proxy on 127.0.0.1. */
export const NETWORKS = ['auto', 'kernel', 'userspace'] as const;
export type NetworkChoice = (typeof NETWORKS)[number];

/**
 * rolling-update: v1 → v2 beside the baselines; node-drain: kubectl drain without and with a PDB;
 * idle-race: no rollout, the keep-alive race between nginx's pool and the pod (idle-race.ts).
 */
export const SCENARIOS = ['rolling-update', 'node-drain', 'idle-race'] as const;
export type Scenario = (typeof SCENARIOS)[number];
/** What the load goes through: the Service (kube-proxy), or an nginx ingress straight to the pods. */
export const INGRESSES = ['none', 'nginx'] as const;
export type IngressChoice = (typeof INGRESSES)[number];

export interface DrillOptions {
  scenario: Scenario;
  /** A demo of the lameduck repository (apps/<demo>-demo) as the service, for `pnpm drill` there. */
  demo: Demo | undefined;
  manifest: string | undefined;
  /** The runs, in the order they are shown: baselines first, the service under test last. */
  modes: ModeChoice[];
  network: NetworkChoice;
  ingress: IngressChoice;
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
  /**
   * Behind --ingress nginx the lag is the controller's informer only (an EndpointSlice watch:
   * well under a second); its rate-limited sync and the workers' timer come on top, played as they are.
   */
  ingressLagMinMs: 100,
  ingressLagMaxMs: 1000,
} as const;

/** The command line, as node:util's parseArgs reads it. */
const OPTIONS = {
  demo: { type: 'string' },
  manifest: { type: 'string' },
  mode: { type: 'string' },
  scenario: { type: 'string' },
  network: { type: 'string' },
  ingress: { type: 'string' },
  replicas: { type: 'string' },
  rate: { type: 'string' },
  'lag-ms': { type: 'string' },
  'keep-alive-clients': { type: 'string' },
  path: { type: 'string' },
  'ready-timeout': { type: 'string' },
  report: { type: 'string' },
  'inside-node-namespace': { type: 'string' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  parallel: { type: 'boolean' },
  sequential: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseDrillArgs(args: readonly string[]): DrillOptions {
  const { values, positionals, rest } = readCommandLine('drill', args, OPTIONS);
  const [unexpected] = positionals;
  if (unexpected !== undefined)
    throw new UsageError(
      `unexpected argument ${unexpected}: put a start command after -- (see lameduck drill --help)`,
    );
  if (rest?.length === 0) throw new UsageError('nothing after -- (expected a start command)');
  if (values.parallel && values.sequential)
    throw new UsageError('--parallel and --sequential contradict each other: give one');
  const lag = values['lag-ms'] === undefined ? undefined : lagRange(values['lag-ms']);
  const scenario = oneOf('--scenario', values.scenario, SCENARIOS) ?? 'rolling-update';
  if (scenario === 'node-drain' && values.mode !== undefined)
    throw new UsageError(
      "--mode picks the rolling update's runs; --scenario node-drain runs the service without and with a PodDisruptionBudget: drop --mode",
    );
  if (scenario === 'node-drain' && values.report !== undefined)
    throw new UsageError("--report draws the rolling update's timeline, not a node drain: drop --report");
  const ingress = oneOf('--ingress', values.ingress, INGRESSES) ?? 'none';
  if (scenario === 'node-drain' && ingress !== 'none')
    throw new UsageError('--ingress goes with the rolling update, not --scenario node-drain: drop --ingress');
  if (scenario === 'idle-race') {
    // nginx is the scenario itself; Node's default beside the service under test are its runs.
    for (const flag of ['mode', 'report', 'replicas', 'rate', 'lag-ms'] as const)
      if (values[flag] !== undefined)
        throw new UsageError(
          `--${flag} has no part in --scenario idle-race (one pod of each kind behind nginx, no rollout): drop --${flag}`,
        );
  }
  const options: DrillOptions = {
    scenario,
    demo: oneOf('--demo', values.demo, DEMOS),
    manifest: values.manifest,
    // A node drain runs the service under test only (twice: without and with a budget).
    modes:
      scenario === 'node-drain'
        ? ['lameduck']
        : scenario === 'idle-race'
          ? ['naive', 'lameduck']
          : values.mode === undefined
            ? [...MODE_CHOICES]
            : parseModes(values.mode),
    network: oneOf('--network', values.network, NETWORKS) ?? 'auto',
    ingress: scenario === 'idle-race' ? 'nginx' : ingress,
    parallel: values.parallel ? true : values.sequential ? false : 'auto',
    replicas: values.replicas === undefined ? undefined : whole('--replicas', values.replicas, 1, 20),
    rate: values.rate === undefined ? DEFAULTS.rate : whole('--rate', values.rate, 1, 5000),
    lagMinMs: lag?.minMs ?? (ingress === 'nginx' ? DEFAULTS.ingressLagMinMs : DEFAULTS.lagMinMs),
    lagMaxMs: lag?.maxMs ?? (ingress === 'nginx' ? DEFAULTS.ingressLagMaxMs : DEFAULTS.lagMaxMs),
    keepAliveClients:
      values['keep-alive-clients'] === undefined
        ? DEFAULTS.keepAliveClients
        : whole('--keep-alive-clients', values['keep-alive-clients'], 0, 500),
    path: values.path === undefined ? '/' : requestPath(values.path),
    readyTimeoutMs:
      values['ready-timeout'] === undefined
        ? DEFAULTS.readyTimeoutMs
        : whole('--ready-timeout', values['ready-timeout'], 1, 3600) * 1000,
    json: values.json ?? false,
    report: values.report === undefined ? undefined : reportFile(values.report),
    verbose: values.verbose ?? false,
    help: values.help ?? false,
    nodeNamespace:
      values['inside-node-namespace'] === undefined
        ? undefined
        : nodeNamespace(values['inside-node-namespace']),
    command: rest ?? [],
  };
  if (options.command.length > 0 && options.demo !== undefined)
    throw new UsageError('--demo and a start command both name the service to drill: give one of them');
  if (options.command.length > 0 && options.manifest === undefined)
    throw new UsageError('a start command needs --manifest <file> with its Deployment');
  if (!options.help && options.command.length === 0 && options.demo === undefined) {
    // The published CLI knows no app of its own: the service, or at least its Deployment, is given.
    const where = '--demo <name> inside the lameduck repository';
    if (options.modes.includes('lameduck'))
      throw new UsageError(`no service to drill: give --manifest <file> -- <start command>, or ${where}`);
    if (options.manifest === undefined)
      throw new UsageError(`no Deployment to drill: give --manifest <file>, or ${where}`);
  }
  return options;
}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  choices: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value))
    throw new UsageError(`${name} must be one of ${choices.join(', ')}, got ${value}`);
  return value as T;
}

/** `--lag-ms 2000` or `--lag-ms 1000-5000`. */
function lagRange(value: string): { minMs: number; maxMs: number } {
  const range = /^(\d+)(?:-(\d+))?$/.exec(value);
  if (!range)
    throw new UsageError(`--lag-ms must be milliseconds (2000) or a range (1000-5000), got ${value}`);
  const minMs = Number(range[1]);
  const maxMs = Number(range[2] ?? range[1]);
  if (maxMs < minMs) throw new UsageError(`--lag-ms range ${value} ends before it starts`);
  return { minMs, maxMs };
}

function requestPath(value: string): string {
  if (!value.startsWith('/')) throw new UsageError(`--path must start with /, got ${value}`);
  return value;
}

function reportFile(value: string): string {
  if (!/\.(html|svg)$/i.test(value))
    throw new UsageError(`--report must name an .html or .svg file, got ${value}`);
  return value;
}

function nodeNamespace(value: string): string {
  if (!/^lameduck-drill-\d+-node$/.test(value))
    throw new UsageError(`--inside-node-namespace is the drill's own, got ${value}`);
  return value;
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
