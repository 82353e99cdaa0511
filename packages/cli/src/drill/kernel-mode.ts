import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Io } from '../commands/command.js';
import { DrillError } from './errors.js';
import {
  createNode,
  kernelModeMissing,
  namespacePrefix,
  namespacesWith,
  nodeNamespace,
  removeNamespaces,
  sweepAbandoned,
  which,
} from './netns.js';
import type { NetworkChoice } from './options.js';

const EXIT_UNUSABLE = 2;
const EXIT_INTERRUPTED = 130;

/**
 * Which network the drill uses. `auto` takes the kernel where it can and says in one line why
 * not when it cannot; `kernel` that cannot run is an error. For the kernel, the node namespace is
 * made here (it is the real test of what this machine allows).
 */
export async function chooseNetwork(
  choice: NetworkChoice,
  io: Io,
): Promise<{ kind: 'userspace' } | { kind: 'kernel'; node: string }> {
  if (choice === 'userspace') return { kind: 'userspace' };
  const missing = kernelModeMissing();
  const fallBack = (why: string) => {
    if (choice === 'kernel') throw new DrillError(`--network kernel ${why}`);
    io.stderr(`lameduck drill: --network auto: the user-space proxy on 127.0.0.1 (the kernel mode ${why})\n`);
    return { kind: 'userspace' as const };
  };
  if (missing) return fallBack(missing);
  const swept = sweepAbandoned();
  if (swept.length > 0)
    io.stderr(
      `lameduck drill: removed ${swept.length} network namespace(s) left by a drill that was killed\n`,
    );
  const node = nodeNamespace();
  try {
    await createNode(node);
  } catch (error) {
    return fallBack(
      `cannot make a network namespace: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return { kind: 'kernel', node };
}

/**
 * Runs the drill again inside the node namespace (nsenter changes only the network namespace,
 * so the pods' namespaces it makes are visible here), passes signals on, and removes every
 * namespace, with every process in it, however that drill ends: done, interrupted, crashed.
 */
export async function runInNode(node: string, args: readonly string[], io: Io): Promise<number> {
  const removeAll = () => {
    const owned = namespacesWith(namespacePrefix(node));
    // The pods' namespaces first, the node's (with the drill in it, if still there) last.
    removeNamespaces(...owned.filter((name) => name !== node), node);
  };
  process.on('exit', removeAll);
  const child = spawn(
    which('nsenter') ?? 'nsenter',
    [
      `--net=/run/netns/${node}`,
      '--',
      process.execPath,
      cliPath(),
      'drill',
      '--inside-node-namespace',
      node,
      ...args,
    ],
    // Its own process group: a Ctrl-C at the terminal reaches this process, which passes it on once.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => io.stdout(chunk));
  child.stderr?.on('data', (chunk: string) => io.stderr(chunk));
  let interrupted = false;
  const forward = (signal: NodeJS.Signals) => {
    interrupted = true;
    if (child.pid !== undefined) {
      try {
        process.kill(child.pid, signal);
      } catch {
        // Gone already.
      }
    }
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);
  try {
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: string }>(
      (resolve) => {
        child.once('error', (error) => resolve({ code: null, signal: null, error: error.message }));
        child.once('close', (code, signal) => resolve({ code, signal }));
      },
    );
    removeAll();
    if (exit.code !== null && exit.error === undefined) return exit.code;
    if (interrupted) return EXIT_INTERRUPTED;
    io.stderr(
      `lameduck drill: the drill in the node namespace stopped (${exit.error ?? `signal ${exit.signal}`}); its network namespaces and pods are removed\n`,
    );
    return EXIT_UNUSABLE;
  } finally {
    for (const signal of signals) process.off(signal, forward);
    process.off('exit', removeAll);
    removeAll();
  }
}

/** The CLI's bin: this file is bundled into dist/cli.js. */
function cliPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, 'cli.js'), join(here, '..', '..', 'dist', 'cli.js')])
    if (existsSync(candidate)) return candidate;
  throw new DrillError('cannot find dist/cli.js to run the drill in its network namespace: run pnpm build');
}
