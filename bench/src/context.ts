import { type ChildOptions, ServerChild } from './child.js';
import type { Settings } from './settings.js';
import type { ServerSpec } from './spec.js';

export interface BenchContext {
  settings: Settings;
  /** Progress for people, on stderr, so stdout stays tables or JSON. */
  log(message: string): void;
  /** CPU for server children when pinning (the parent holds the other), else undefined. */
  serverCpu?: number;
  /** Directory for --cpu-prof output, when profiling. */
  profileDir?: string;
}

export function startChild(
  context: BenchContext,
  spec: ServerSpec,
  options: Omit<ChildOptions, 'cpu'> = {},
): Promise<ServerChild> {
  return ServerChild.start(
    spec,
    context.serverCpu === undefined ? options : { ...options, cpu: context.serverCpu },
  );
}

/** ABBA order: odd rounds run the variants backwards, so slow drift hits every variant alike. */
export function roundOrder<T>(items: readonly T[], round: number): T[] {
  return round % 2 === 0 ? [...items] : [...items].reverse();
}
