import { type ChildProcess, spawn } from 'node:child_process';

/** How a pod's process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The process could not be started at all (ENOENT, EACCES). */
  error?: string;
}

/** Every process group still alive, so that every way out of the drill can end them. */
const live = new Set<PodProcess>();
let exitHookInstalled = false;

/** SIGKILLs every pod's whole process group, synchronously (safe in a process 'exit' handler). */
export function killAllPods(): void {
  for (const pod of live) pod.killGroup();
}

const OUTPUT_LINES = 20;

/**
 * One container's process. It gets its own process group, as a container gets its own PID
 * namespace: a Ctrl-C at the terminal reaches the drill, not the pods, and the drill decides.
 * Signals go to the main process only (the container's PID 1); when it exits, whatever it left
 * in its group is killed, as the runtime does when a container stops.
 */
export class PodProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<ProcessExit>;
  #exit: ProcessExit | undefined;
  readonly #output: string[] = [];

  constructor(
    name: string,
    command: readonly string[],
    options: { cwd: string; env: Record<string, string> },
  ) {
    this.name = name;
    const [program = '', ...args] = command;
    this.child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(this);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', killAllPods);
    }
    for (const stream of [this.child.stdout, this.child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => this.#remember(chunk));
    }
    this.exited = new Promise((resolve) => {
      const done = (exit: ProcessExit) => {
        if (this.#exit) return;
        this.#exit = exit;
        this.killGroup();
        live.delete(this);
        resolve(exit);
      };
      this.child.once('exit', (code, signal) => done({ code, signal }));
      this.child.once('error', (error: NodeJS.ErrnoException) =>
        done({ code: null, signal: null, error: `${error.code ?? 'error'}: ${error.message}` }),
      );
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exit(): ProcessExit | undefined {
    return this.#exit;
  }

  /** The last lines the process printed (stdout and stderr together). */
  get output(): readonly string[] {
    return this.#output;
  }

  /** Sends a signal to the main process only, as the kubelet does to PID 1. */
  signal(signal: NodeJS.Signals): void {
    if (this.#exit || this.child.pid === undefined) return;
    try {
      process.kill(this.child.pid, signal);
    } catch {
      // Already gone: its 'exit' event is on its way.
    }
  }

  /** SIGKILL to the whole process group, if there is one left. */
  killGroup(): void {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  #remember(chunk: string): void {
    for (const line of chunk.split('\n')) {
      if (line.trim() === '') continue;
      this.#output.push(line.trimEnd());
      if (this.#output.length > OUTPUT_LINES) this.#output.shift();
    }
  }
}

/** A description of an exit for one-line messages: "exit code 1", "signal SIGKILL". */
export function describeExit(exit: ProcessExit): string {
  if (exit.error) return exit.error;
  if (exit.signal) return `signal ${exit.signal}`;
  return `exit code ${exit.code}`;
}
