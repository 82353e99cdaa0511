import { describe, expect, it } from 'vitest';
import { UsageError } from '../commands/command.js';
import { parseDrillArgs } from './options.js';

describe('parseDrillArgs', () => {
  it('has defaults for everything but the service', () => {
    expect(parseDrillArgs(['--manifest', 'k8s.yaml', '--', 'node', 'server.js'])).toMatchObject({
      demo: undefined,
      modes: ['naive', 'naive-prestop', 'lameduck'],
      network: 'auto',
      ingress: 'none',
      parallel: 'auto',
      rate: 400,
      lagMinMs: 1000,
      lagMaxMs: 5000,
      json: false,
      command: ['node', 'server.js'],
    });
  });

  it('puts an nginx ingress in front with --ingress nginx, and names the choices otherwise', () => {
    // The lag is then the controller's informer only: its sync and the workers' timer are played.
    expect(parseDrillArgs(['--demo', 'express', '--ingress', 'nginx'])).toMatchObject({
      ingress: 'nginx',
      lagMinMs: 100,
      lagMaxMs: 1000,
    });
    expect(() => parseDrillArgs(['--demo', 'express', '--ingress', 'envoy'])).toThrow(
      new UsageError('--ingress must be one of none, nginx, got envoy'),
    );
  });

  it("--scenario idle-race: nginx in front, Node's default beside the service, and no rollout options", () => {
    expect(parseDrillArgs(['--demo', 'express', '--scenario', 'idle-race'])).toMatchObject({
      scenario: 'idle-race',
      ingress: 'nginx',
      modes: ['naive', 'lameduck'],
    });
    expect(() => parseDrillArgs(['--demo', 'express', '--scenario', 'idle-race', '--rate', '50'])).toThrow(
      new UsageError(
        '--rate has no part in --scenario idle-race (one pod of each kind behind nginx, no rollout): drop --rate',
      ),
    );
  });

  it('takes the service from --demo (the lameduck repository), or only a manifest for the baselines', () => {
    expect(parseDrillArgs(['--demo', 'express'])).toMatchObject({ demo: 'express', command: [] });
    expect(parseDrillArgs(['--mode', 'naive', '--manifest', 'k8s.yaml'])).toMatchObject({
      demo: undefined,
      manifest: 'k8s.yaml',
      modes: ['naive'],
    });
  });

  it('reads every option, with = or a separate value, and a start command after --', () => {
    expect(
      parseDrillArgs([
        '--manifest',
        'k8s.yaml',
        '--mode',
        'lameduck',
        '--network=userspace',
        '--parallel',
        '--replicas',
        '2',
        '--rate=50',
        '--lag-ms',
        '700',
        '--json',
        '--report',
        'out.svg',
        '--',
        'node',
        'server.js',
        '--json',
      ]),
    ).toMatchObject({
      demo: undefined,
      manifest: 'k8s.yaml',
      modes: ['lameduck'],
      network: 'userspace',
      parallel: true,
      replicas: 2,
      rate: 50,
      lagMinMs: 700,
      lagMaxMs: 700,
      json: true,
      report: 'out.svg',
      command: ['node', 'server.js', '--json'],
    });
    expect(parseDrillArgs(['--demo=koa', '--lag-ms', '200-900'])).toMatchObject({
      demo: 'koa',
      lagMinMs: 200,
      lagMaxMs: 900,
    });
  });

  it('takes runs as a list, in the order they are shown; service names the service under test', () => {
    expect(parseDrillArgs(['--demo', 'express', '--mode', 'lameduck,naive']).modes).toEqual([
      'naive',
      'lameduck',
    ]);
    expect(parseDrillArgs(['--demo', 'express', '--mode', 'service,naive-prestop']).modes).toEqual([
      'naive-prestop',
      'lameduck',
    ]);
    expect(parseDrillArgs(['--demo', 'express', '--mode', 'all']).modes).toEqual([
      'naive',
      'naive-prestop',
      'lameduck',
    ]);
  });

  it.each([
    [
      [],
      /^no service to drill: give --manifest <file> -- <start command>, or --demo <name> inside the lameduck repository$/,
    ],
    [['--rate', '50'], /^no service to drill: give --manifest <file> -- <start command>/],
    [
      ['--mode', 'naive'],
      /^no Deployment to drill: give --manifest <file>, or --demo <name> inside the lameduck repository$/,
    ],
    [['--demo', 'rails'], /--demo must be one of express, koa, hono, node/],
    [['--rate', '0'], /--rate must be a whole number from 1/],
    [['--lag-ms', '5-1'], /ends before it starts/],
    [['--report', 'out.png'], /\.html or \.svg/],
    [['--replicas'], /--replicas needs a value/],
    [['--bogus'], /unknown option --bogus/],
    [['-x'], /^unknown option -x \(see lameduck drill --help\)$/],
    [['--rate', '--json'], /^--rate needs a value \(see lameduck drill --help\)$/],
    [['--rate=fast'], /^--rate must be a whole number from 1 to 5000, got fast$/],
    [['--parallel', '--sequential'], /^--parallel and --sequential contradict each other: give one$/],
    [['--json=yes'], /^--json takes no value \(see lameduck drill --help\)$/],
    [['--manifest', 'k8s.yaml', '--'], /^nothing after -- \(expected a start command\)$/],
    [['--mode', 'both'], /--mode must be all or a comma-separated list of naive, naive-prestop, lameduck/],
    [['--network', 'ipvs'], /--network must be one of auto, kernel, userspace, got ipvs/],
    [['server.js'], /put a start command after --/],
    [['--', 'node', 'server.js'], /needs --manifest/],
    [
      ['--demo', 'express', '--manifest', 'k8s.yaml', '--', 'node', 'server.js'],
      /^--demo and a start command both name the service to drill: give one of them$/,
    ],
  ])('refuses %j', (args, message) => {
    expect(() => parseDrillArgs(args)).toThrow(UsageError);
    expect(() => parseDrillArgs(args)).toThrow(message);
  });
});
