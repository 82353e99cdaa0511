import { LameduckConfigError } from '../index.js';

export interface BudgetInput {
  drainDelayMs: number;
  drainTimeoutMs: number;
  /** Early-notice hooks run beside the delay and the drain; only one outlasting both counts. */
  drainStartHooks: readonly { name: string; timeoutMs: number }[];
  /** Cleanup hooks run one after another, so their timeouts add up. */
  cleanupHooks: readonly { name: string; timeoutMs: number }[];
  gracePeriodMs?: number;
  gracePeriodSource?: string;
}

/** The longest a shutdown can take with this configuration, in ms. */
export function worstCaseShutdownMs(input: BudgetInput): number {
  const drain = input.drainDelayMs + input.drainTimeoutMs;
  const earlyHooks = Math.max(0, ...input.drainStartHooks.map((hook) => hook.timeoutMs));
  return Math.max(drain, earlyHooks) + sum(input.cleanupHooks.map((hook) => hook.timeoutMs));
}

/**
 * Kubernetes sends SIGKILL when the grace period ends, whatever the process is doing; a
 * shutdown that may need longer than that must be refused at startup, with the numbers and the
 * fix, not discovered as a killed pod in the middle of a rollout. Does nothing when the grace
 * period is unknown.
 */
export function checkBudget(input: BudgetInput): void {
  const { gracePeriodMs } = input;
  if (gracePeriodMs === undefined) return;
  const worstMs = worstCaseShutdownMs(input);
  if (worstMs <= gracePeriodMs) return;
  const parts = [`drain delay ${input.drainDelayMs}`, `drain timeout ${input.drainTimeoutMs}`];
  const earlyMs = Math.max(0, ...input.drainStartHooks.map((hook) => hook.timeoutMs));
  if (earlyMs > input.drainDelayMs + input.drainTimeoutMs) {
    parts.splice(0, 2, `early-notice hooks ${earlyMs}`);
  }
  if (input.cleanupHooks.length > 0) {
    const hooks = input.cleanupHooks.map((hook) => `"${hook.name}" ${hook.timeoutMs}`).join(' + ');
    parts.push(`cleanup hooks ${hooks}`);
  }
  const overMs = worstMs - gracePeriodMs;
  throw new LameduckConfigError(
    `the shutdown can take up to ${worstMs} ms (${parts.join(' + ')} ms) but the grace period is ${gracePeriodMs} ms (${input.gracePeriodSource ?? 'gracePeriodMs'}), so Kubernetes would SIGKILL the process mid-shutdown. ` +
      `Fix: raise terminationGracePeriodSeconds to at least ${Math.ceil(worstMs / 1000)} (and the grace period given to lameduck with it), ` +
      `or shorten the budget by ${overMs} ms: lower drainTimeoutMs (now ${input.drainTimeoutMs}), drainDelayMs (now ${input.drainDelayMs}) or the hooks' timeoutMs`,
  );
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
