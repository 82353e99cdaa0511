import type { ChildProcess } from 'node:child_process';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** ms from spawn to exit. */
  atMs: number;
}

// biome-ignore lint/suspicious/noExplicitAny: fixtures print free-form JSON events.
export type FixtureEvent = { event: string; t: number; [key: string]: any };

export interface ChildHandle {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly stderr: string;
  readonly exited: Promise<ExitStatus>;
  events(name?: string): FixtureEvent[];
  waitForLine(test: RegExp | ((line: string) => boolean), timeoutMs?: number): Promise<string>;
  waitForEvent(name: string, timeoutMs?: number): Promise<FixtureEvent>;
  signal(name: NodeJS.Signals): void;
}

export function spawnNode(
  file: string,
  options?: { env?: Record<string, string>; args?: string[]; cwd?: string },
): ChildHandle;

/** Any executable (Bun, Deno, workerd); `extraPipes` adds that many pipes after stderr (fd 3, …). */
export function spawnCommand(
  command: string,
  args: string[],
  options?: { env?: Record<string, string>; cwd?: string; extraPipes?: number },
): ChildHandle;

export function killAllChildren(): Promise<void>;
