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

// The last lifecycle looked up: the kit runs on every request, almost always for the same one, and
// a lifecycle with an adapter's members added reads its properties slowly (dictionary mode).
// Internals never change once defined (not writable, not configurable), so the pair stays true.
let lastLifecycle: unknown;
let lastInternals: LifecycleInternals | undefined;

/** The internals of a lifecycle made by `createLameduck`, or undefined for anything else. */
export function internalsOf(lifecycle: unknown): LifecycleInternals | undefined {
  if (lifecycle === lastLifecycle) return lastInternals;
  if (lifecycle === null || typeof lifecycle !== 'object') return undefined;
  const internals = (lifecycle as { [INTERNALS]?: LifecycleInternals })[INTERNALS];
  if (internals !== undefined) {
    lastLifecycle = lifecycle;
    lastInternals = internals;
  }
  return internals;
}
