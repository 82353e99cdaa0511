import { LameduckConfigError } from '../index.js';
import {
  type BudgetMode,
  FIXED_WAITS_MS,
  HEADROOM_MS,
  overBudgetMessage,
  shutdownBudget,
} from '../shutdown-budget.js';

export { FIXED_WAITS_MS, HEADROOM_MS };

interface NamedTimeout {
  name: string;
  timeoutMs: number;
}

export interface BudgetInput {
  drainDelayMs: number;
  drainTimeoutMs: number;
  cleanupTimeoutMs: number;
  /** Early-notice hooks run beside the delay and the drain; only one outlasting both counts. */
  drainStartHooks: readonly NamedTimeout[];
  /** Upgraded-socket hooks start when the listeners close and run beside the drain. */
  upgradedHooks?: readonly NamedTimeout[];
  gracePeriodMs?: number;
  gracePeriodSource?: string;
}

/** The longest a shutdown can take with this configuration and these hooks, in ms. */
export function worstCaseShutdownMs(input: BudgetInput): number {
  return shutdownBudget(withHooks(input)).worstCaseMs;
}

/**
 * Kubernetes sends SIGKILL when the grace period ends, whatever the process is doing. Cleanup
 * hooks share cleanupTimeoutMs, so only an early-notice or upgraded-socket hook that outlasts the
 * drain can break a budget the settings met: `refuse` throws (the hook is not registered),
 * `fit` returns the longest timeout that fits, for the hook to run with. Returns undefined when
 * the hook fits as it is, or the grace period is unknown.
 */
export function checkHookBudget(input: BudgetInput, mode: BudgetMode, hookMs: number): number | undefined {
  const { gracePeriodMs } = input;
  if (gracePeriodMs === undefined || shutdownBudget(withHooks(input)).fits) return undefined;
  if (mode === 'refuse') throw new LameduckConfigError(overBudgetMessage(withHooks(input)));
  return Math.max(1, hookMs - shutdownBudget(withHooks(input)).overMs);
}

function withHooks(input: BudgetInput) {
  return {
    drainDelayMs: input.drainDelayMs,
    drainTimeoutMs: input.drainTimeoutMs,
    cleanupTimeoutMs: input.cleanupTimeoutMs,
    longestDrainStartHookMs: longest(input.drainStartHooks),
    longestUpgradedHookMs: longest(input.upgradedHooks ?? []),
    ...(input.gracePeriodMs === undefined ? {} : { gracePeriodMs: input.gracePeriodMs }),
    ...(input.gracePeriodSource === undefined ? {} : { gracePeriodSource: input.gracePeriodSource }),
  };
}

function longest(hooks: readonly NamedTimeout[]): number {
  return Math.max(0, ...hooks.map((hook) => hook.timeoutMs));
}
