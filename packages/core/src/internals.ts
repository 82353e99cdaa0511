import type { CachedAnswerLookup, ProbeRequest, ProbeResponse } from './respond.js';

/**
 * What the adapter kit and the drain engine reach on a lifecycle, and its users do not: kept off
 * the public type under a registered symbol, so the ESM and CommonJS builds share it.
 */
export interface LifecycleInternals {
  respond(request: ProbeRequest): Promise<ProbeResponse> | undefined;
  isProbePath(target: string): boolean;
  /** The kept answer to a plain probe, for a synchronous write (see `AnswerCache`). */
  cachedAnswer: CachedAnswerLookup;
  /** The model's own `draining` and `closed` transitions, for an engine that takes over `drain()`. */
  transition(to: 'draining' | 'closed', reason: string): boolean;
}

export const INTERNALS: unique symbol = Symbol.for('@lameduck/core.internals') as never;

/** The internals of a lifecycle made by `createLameduck`, or undefined for anything else. */
export function internalsOf(lifecycle: unknown): LifecycleInternals | undefined {
  if (lifecycle === null || typeof lifecycle !== 'object') return undefined;
  return (lifecycle as { [INTERNALS]?: LifecycleInternals })[INTERNALS];
}
