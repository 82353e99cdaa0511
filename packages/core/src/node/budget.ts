import { LameduckConfigError } from '../index.js';
import { sum } from '../sum.js';
import { AFTER_DESTROY_WAIT_MS, acceptQueueWaitMs, DEADLINE_MOMENT_MS } from './shutdown.js';

interface NamedTimeout {
  name: string;
  timeoutMs: number;
}

export interface BudgetInput {
  drainDelayMs: number;
  drainTimeoutMs: number;
  /** Early-notice hooks run beside the delay and the drain; only one outlasting both counts. */
  drainStartHooks: readonly NamedTimeout[];
  /** Upgraded-socket hooks start when the listeners close and run beside the drain; cleanup waits for them. */
  upgradedHooks?: readonly NamedTimeout[];
  /** Cleanup hooks run one after another, so their timeouts add up. */
  cleanupHooks: readonly NamedTimeout[];
  gracePeriodMs?: number;
  gracePeriodSource?: string;
}

/**
 * The waits the shutdown makes on its own after the drain timeout: the moment handlers get after
 * `deadlineSignal` aborts, and the wait for destroyed sockets to close. (Accepting what is
 * queued before the listeners close is part of the drain timeout.)
 */
export const FIXED_WAITS_MS = DEADLINE_MOMENT_MS + AFTER_DESTROY_WAIT_MS;

/**
 * Room the budget keeps between the worst case and SIGKILL. The grace period starts when the
 * kubelet asks the runtime to stop the container, a little before the signal reaches the
 * process; timers fire late on a loaded event loop; exiting (flushing logs, closing handles)
 * takes time of its own. None of that grows with the grace period, so a fixed second: a
 * shutdown planned to end exactly at the grace period would be killed in its last moments.
 */
export const HEADROOM_MS = 1000;

/** The longest a shutdown can take with this configuration, in ms. */
export function worstCaseShutdownMs(input: BudgetInput): number {
  const listenersClosedAt = input.drainDelayMs + acceptQueueWaitMs(input.drainTimeoutMs);
  const drainEnd = input.drainDelayMs + input.drainTimeoutMs + FIXED_WAITS_MS;
  const upgradedEnd = listenersClosedAt + longest(input.upgradedHooks ?? []);
  const earlyEnd = longest(input.drainStartHooks);
  return Math.max(drainEnd, upgradedEnd, earlyEnd) + sum(input.cleanupHooks.map((hook) => hook.timeoutMs));
}

/**
 * Kubernetes sends SIGKILL when the grace period ends, whatever the process is doing; a
 * shutdown that may need longer than that (less the headroom) must be refused at startup, with
 * the numbers and the fix, not discovered as a killed pod in the middle of a rollout. Does
 * nothing when the grace period is unknown.
 */
export function checkBudget(input: BudgetInput): void {
  const { gracePeriodMs } = input;
  if (gracePeriodMs === undefined) return;
  const worstMs = worstCaseShutdownMs(input);
  const headroom = HEADROOM_MS;
  if (worstMs + headroom <= gracePeriodMs) return;
  const listenersClosedAt = input.drainDelayMs + acceptQueueWaitMs(input.drainTimeoutMs);
  const drainEnd = input.drainDelayMs + input.drainTimeoutMs + FIXED_WAITS_MS;
  const upgradedMs = longest(input.upgradedHooks ?? []);
  const earlyMs = longest(input.drainStartHooks);
  let parts: string[];
  if (earlyMs >= Math.max(drainEnd, listenersClosedAt + upgradedMs)) {
    parts = [`early-notice hooks ${earlyMs}`];
  } else if (listenersClosedAt + upgradedMs > drainEnd) {
    parts = [
      `drain delay ${input.drainDelayMs}`,
      `accept queue ${acceptQueueWaitMs(input.drainTimeoutMs)}`,
      `upgraded-socket hooks ${upgradedMs}`,
    ];
  } else {
    parts = [
      `drain delay ${input.drainDelayMs}`,
      `drain timeout ${input.drainTimeoutMs}`,
      `lameduck's own waits ${FIXED_WAITS_MS}`,
    ];
  }
  if (input.cleanupHooks.length > 0) {
    const hooks = input.cleanupHooks.map((hook) => `"${hook.name}" ${hook.timeoutMs}`).join(' + ');
    parts.push(`cleanup hooks ${hooks}`);
  }
  const overMs = worstMs + headroom - gracePeriodMs;
  throw new LameduckConfigError(
    `the shutdown can take up to ${worstMs} ms (${parts.join(' + ')} ms), which with ${headroom} ms of headroom does not fit the grace period of ${gracePeriodMs} ms (${input.gracePeriodSource ?? 'gracePeriodMs'}), so Kubernetes would SIGKILL the process mid-shutdown. ` +
      `Fix: raise terminationGracePeriodSeconds to at least ${Math.ceil((worstMs + headroom) / 1000)} (and the grace period given to lameduck with it), ` +
      `or shorten the budget by ${overMs} ms: lower drainTimeoutMs (now ${input.drainTimeoutMs}), drainDelayMs (now ${input.drainDelayMs}) or the hooks' timeoutMs`,
  );
}

function longest(hooks: readonly NamedTimeout[]): number {
  return Math.max(0, ...hooks.map((hook) => hook.timeoutMs));
}
