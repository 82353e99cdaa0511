import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { DrillError } from './errors.js';

// The network namespaces of `--network kernel`, with iproute2: one "node" namespace (the load,
// the kubelet's probes, the Service's rules) with a bridge, and one namespace per pod on a veth
// pair plugged into it. Nothing is created in the namespace the drill was started in, and every
// name starts with `lameduck-drill-<pid>-`, the pid of the drill that owns it, so that whatever a
// killed drill left behind can be found and removed.

/** Pods' addresses: 10.231.0.0/16, the node's end of the bridge 10.231.0.1. */
export const POD_CIDR = { prefix: '10.231', bits: 16, gateway: '10.231.0.1' } as const;
/** Services' virtual IPs: 10.232.0.0/16, reached through the bridge (DNAT happens on the way out). */
export const SERVICE_CIDR = '10.232.0.0/16';
export const BRIDGE = 'ld-br0';
const PREFIX = 'lameduck-drill-';

export function nodeNamespace(ownerPid: number = process.pid): string {
  return `${PREFIX}${ownerPid}-node`;
}

/** The prefix of every namespace owned by the drill whose node namespace is `node`. */
export function namespacePrefix(node: string): string {
  return node.replace(/node$/, '');
}

/** The program's path, looked for in PATH and in the sbin directories root's PATH usually has. */
export function which(program: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const dir of dirs) {
    if (dir && existsSync(join(dir, program))) return join(dir, program);
  }
  return undefined;
}

const TOOLS = ['ip', 'iptables-restore', 'conntrack', 'nsenter'] as const;

/** Why the kernel mode cannot run here, or undefined when it can (as far as can be told without trying). */
export function kernelModeMissing(): string | undefined {
  if (process.platform !== 'linux') return `needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'needs root (network namespaces and iptables)';
  const missing = TOOLS.filter((tool) => !which(tool));
  if (missing.length > 0)
    return `needs ${missing.join(', ')} (Debian: apt-get install iproute2 iptables conntrack util-linux)`;
  return undefined;
}

/** Runs a command; rejects with a DrillError naming it and its first line of stderr. */
export function run(program: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      which(program) ?? program,
      args,
      { encoding: 'utf8', timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error)
          reject(
            new DrillError(
              `${program} ${args.join(' ')} failed: ${stderr.trim().split('\n')[0] || error.message}`,
            ),
          );
        else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

function runSync(program: string, args: readonly string[]): string {
  try {
    return execFileSync(which(program) ?? program, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    });
  } catch {
    return '';
  }
}

/** Sets up the node namespace: loopback, the bridge with the pods' gateway, a route for the VIPs. */
export async function createNode(name: string): Promise<void> {
  await run('ip', ['netns', 'add', name]);
  try {
    await run(
      'ip',
      ['-n', name, '-batch', '-'],
      [
        'link set lo up',
        `link add ${BRIDGE} type bridge`,
        `addr add ${POD_CIDR.gateway}/${POD_CIDR.bits} dev ${BRIDGE}`,
        `link set ${BRIDGE} up`,
        // Without a route the VIP is unreachable before the OUTPUT chain's DNAT can rewrite it.
        `route add ${SERVICE_CIDR} dev ${BRIDGE}`,
        '',
      ].join('\n'),
    );
  } catch (error) {
    removeNamespaces(name);
    throw error;
  }
}

/**
 * A pod's namespace, from inside the node namespace: a veth pair with one end on the bridge and
 * the other as the pod's eth0, its address, and a default route back through the bridge.
 */
export async function createPodNamespace(name: string, veth: string, address: string): Promise<void> {
  await run('ip', ['netns', 'add', name]);
  await run('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name]);
  await run('ip', ['link', 'set', veth, 'master', BRIDGE, 'up']);
  await run(
    'ip',
    ['-n', name, '-batch', '-'],
    [
      'link set lo up',
      `addr add ${address}/${POD_CIDR.bits} dev eth0`,
      'link set eth0 up',
      `route add default via ${POD_CIDR.gateway} dev eth0`,
      '',
    ].join('\n'),
  );
}

/** Deletes a namespace (its veth pair goes with it). A namespace already gone is no error. */
export async function deleteNamespace(name: string): Promise<void> {
  try {
    await run('ip', ['netns', 'del', name]);
  } catch {
    // Gone already, or never made.
  }
}

/** The drill's namespaces: every one whose name starts with `prefix`. */
export function namespacesWith(prefix: string = PREFIX): string[] {
  return runSync('ip', ['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(prefix));
}

/**
 * SIGKILLs every process in each namespace, then deletes it: synchronous, so that it also runs
 * in a process 'exit' handler. Returns the namespaces removed.
 */
export function removeNamespaces(...names: string[]): string[] {
  for (const name of names) {
    for (const pid of runSync('ip', ['netns', 'pids', name]).split('\n')) {
      const number = Number(pid);
      if (Number.isInteger(number) && number > 0 && number !== process.pid) {
        try {
          process.kill(number, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    }
    runSync('ip', ['netns', 'del', name]);
  }
  return names;
}

/** Namespaces left by drills that are no longer running (killed with SIGKILL, or a machine crash). */
export function sweepAbandoned(): string[] {
  const abandoned = namespacesWith().filter((name) => {
    const owner = Number(/^lameduck-drill-(\d+)-/.exec(name)?.[1]);
    if (!Number.isInteger(owner) || owner === process.pid) return false;
    try {
      process.kill(owner, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  });
  return removeNamespaces(...abandoned);
}
