import { LameduckConfigError } from './errors.js';

/** After the drain timeout, `deadlineSignal` aborts first; handlers that listen to it get this long to answer before the connections are destroyed. */
export const DEADLINE_MOMENT_MS = 250;
/** After the destroy, the longest wait for the destroyed sockets to report closed (they do on the next ticks). */
export const AFTER_DESTROY_WAIT_MS = 100;
/** Before the listeners close, the longest spent accepting what waits in the accept queue: part of the drain timeout. */
export const ACCEPT_QUEUE_WAIT_MS = 1000;

/**
 * The waits the shutdown makes on its own after the drain timeout: the moment handlers get after
 * `deadlineSignal` aborts, and the wait for destroyed sockets to close.
 */
export const FIXED_WAITS_MS = DEADLINE_MOMENT_MS + AFTER_DESTROY_WAIT_MS;

/**
 * Room the budget keeps between the worst case and SIGKILL. The grace period starts when the
 * kubelet asks the runtime to stop the container, a little before the signal reaches the
 * process; timers fire late on a loaded event loop; exiting (flushing logs, closing handles)
 * takes time of its own. None of that grows with the grace period, so a fixed second.
 */
export const HEADROOM_MS = 1000;

/** How long the shutdown may spend accepting queued connections: part of the drain timeout. */
export function acceptQueueWaitMs(drainTimeoutMs: number): number {
  return Math.min(ACCEPT_QUEUE_WAIT_MS, drainTimeoutMs);
}

/** The manifest's numbers (all in ms), and the longest hooks that run beside the drain, if any. */
export interface ShutdownBudgetInput {
  readonly drainDelayMs: number;
  readonly drainTimeoutMs: number;
  /** The whole cleanup phase: every cleanup hook shares it, however many the app registers. */
  readonly cleanupTimeoutMs: number;
  /** From SIGTERM to SIGKILL; unknown when left out. */
  readonly gracePeriodMs?: number;
  /** The longest early-notice hook: they start with the drain and run beside it. */
  readonly longestDrainStartHookMs?: number;
  /** The longest upgraded-socket hook: they start when the listeners close. */
  readonly longestUpgradedHookMs?: number;
}

export interface ShutdownBudget {
  /** When the drain (delay, drain timeout, lameduck's waits, and hooks beside it) is over at worst. */
  readonly drainEndMs: number;
  readonly cleanupTimeoutMs: number;
  /** The longest the shutdown can take from SIGTERM: drainEndMs + cleanupTimeoutMs. */
  readonly worstCaseMs: number;
  readonly headroomMs: number;
  /** What the grace period must be at least: worstCaseMs + headroomMs. */
  readonly neededMs: number;
  /** Whether neededMs fits the grace period (true when the grace period is unknown). */
  readonly fits: boolean;
  /** By how much neededMs exceeds the grace period (0 when it fits). */
  readonly overMs: number;
  /** The longest part before cleanup, spelled for messages: "drain delay 0 + drain timeout 20000 + lameduck's own waits 350". */
  readonly drainParts: string;
}

/**
 * The longest a shutdown can take, from the manifest's numbers alone: one function for the
 * runtime's check at startup, `lameduck doctor` and the docs' figures.
 */
export function shutdownBudget(input: ShutdownBudgetInput): ShutdownBudget {
  const early = input.longestDrainStartHookMs ?? 0;
  const upgraded = input.longestUpgradedHookMs ?? 0;
  const listenersClosedAt = input.drainDelayMs + acceptQueueWaitMs(input.drainTimeoutMs);
  const drained = input.drainDelayMs + input.drainTimeoutMs + FIXED_WAITS_MS;
  const drainEndMs = Math.max(drained, listenersClosedAt + upgraded, early);
  let drainParts = `drain delay ${input.drainDelayMs} + drain timeout ${input.drainTimeoutMs} + lameduck's own waits ${FIXED_WAITS_MS}`;
  if (early === drainEndMs && early > drained) drainParts = `early-notice hook ${early}`;
  else if (listenersClosedAt + upgraded === drainEndMs && listenersClosedAt + upgraded > drained) {
    drainParts = `drain delay ${input.drainDelayMs} + accept queue ${acceptQueueWaitMs(input.drainTimeoutMs)} + upgraded-socket hook ${upgraded}`;
  }
  const worstCaseMs = drainEndMs + input.cleanupTimeoutMs;
  const neededMs = worstCaseMs + HEADROOM_MS;
  const overMs = input.gracePeriodMs === undefined ? 0 : Math.max(0, neededMs - input.gracePeriodMs);
  return {
    drainEndMs,
    cleanupTimeoutMs: input.cleanupTimeoutMs,
    worstCaseMs,
    headroomMs: HEADROOM_MS,
    neededMs,
    fits: overMs === 0,
    overMs,
    drainParts,
  };
}

/** The three numbers fitting may cut. */
export interface BudgetTimes {
  readonly drainDelayMs: number;
  readonly drainTimeoutMs: number;
  readonly cleanupTimeoutMs: number;
}

/**
 * The order fitting cuts in, and how far each cut goes: the drain timeout first (few requests
 * take long), down to 1 s; then the cleanup phase, down to 1 s; then the drain delay (it keeps
 * new connections from being refused), down to 0; then the drain timeout and the cleanup phase
 * to 0 (a grace period under 3.35 s).
 */
export const FIT_ORDER: readonly (readonly [keyof BudgetTimes, number])[] = [
  ['drainTimeoutMs', 1000],
  ['cleanupTimeoutMs', 1000],
  ['drainDelayMs', 0],
  ['drainTimeoutMs', 0],
  ['cleanupTimeoutMs', 0],
];

/**
 * Cuts the times, in FIT_ORDER, until the shutdown fits `gracePeriodMs` with headroom, or all
 * are 0. Returns the fitted times and whether they fit (a grace period under lameduck's own
 * waits plus headroom cannot be met).
 */
export function fitShutdownBudget(
  times: BudgetTimes,
  gracePeriodMs: number,
): { times: BudgetTimes; fits: boolean } {
  const fitted = { ...times };
  for (const [name, floorMs] of FIT_ORDER) {
    const { overMs } = shutdownBudget({ ...fitted, gracePeriodMs });
    if (overMs === 0) break;
    fitted[name] = Math.max(Math.min(floorMs, fitted[name]), fitted[name] - overMs);
  }
  return { times: fitted, fits: shutdownBudget({ ...fitted, gracePeriodMs }).fits };
}

/** What to do when the configuration does not fit the grace period. */
export type BudgetMode = 'fit' | 'refuse';

/** Chooses what an over-budget configuration does: `fit` or `refuse` (LameduckConfigError). */
export const BUDGET_VARIABLE = 'LAMEDUCK_BUDGET';

/** Reads a `budget` option or `LAMEDUCK_BUDGET` value; throws a one-line error naming `source`. */
export function budgetMode(value: unknown, source: string): BudgetMode | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value.trim() : value;
  if (text === '') return undefined;
  if (text === 'fit' || text === 'refuse') return text;
  throw new LameduckConfigError(
    `${source} must be 'fit' (start anyway, shortening the drain to fit the grace period) or 'refuse' (throw at startup), got ${JSON.stringify(value)?.slice(0, 40) ?? String(value)}; for example ${BUDGET_VARIABLE}=refuse`,
  );
}

const NAMES: Record<keyof BudgetTimes, { option: string; variable: string }> = {
  drainDelayMs: { option: 'drainDelayMs', variable: 'LAMEDUCK_DRAIN_DELAY_MS' },
  drainTimeoutMs: { option: 'drainTimeoutMs', variable: 'LAMEDUCK_DRAIN_TIMEOUT_MS' },
  cleanupTimeoutMs: { option: 'cleanupTimeoutMs', variable: 'LAMEDUCK_CLEANUP_TIMEOUT_MS' },
};

/** The one-line refusal: the numbers, where the grace period came from, and the fix. */
export function overBudgetMessage(input: ShutdownBudgetInput & { gracePeriodSource?: string }): string {
  const budget = shutdownBudget(input);
  const grace = input.gracePeriodMs ?? 0;
  return (
    `the shutdown can take up to ${budget.worstCaseMs} ms (${budget.drainParts} + cleanup ${input.cleanupTimeoutMs} ms), which with ${budget.headroomMs} ms of headroom does not fit the grace period of ${grace} ms (${input.gracePeriodSource ?? 'gracePeriodMs'}), so Kubernetes would SIGKILL the process mid-shutdown. ` +
    `Fix: raise terminationGracePeriodSeconds to at least ${Math.ceil(budget.neededMs / 1000)} (and the grace period given to lameduck with it), ` +
    `or shorten the budget by ${budget.overMs} ms: lower drainTimeoutMs (now ${input.drainTimeoutMs}), cleanupTimeoutMs (now ${input.cleanupTimeoutMs}), drainDelayMs (now ${input.drainDelayMs}) or a long hook's timeoutMs`
  );
}

/** The one startup warning of a fitted configuration: what was cut, from what to what, and the fix. */
export function fittedMessage(
  original: BudgetTimes,
  fitted: BudgetTimes,
  gracePeriodMs: number,
  gracePeriodSource: string,
): string {
  const before = shutdownBudget({ ...original, gracePeriodMs });
  const cuts = (Object.keys(NAMES) as (keyof BudgetTimes)[])
    .filter((name) => fitted[name] !== original[name])
    .map((name) => `${NAMES[name].option} ${original[name]} -> ${fitted[name]} ms`);
  const lower = (Object.keys(NAMES) as (keyof BudgetTimes)[])
    .filter((name) => fitted[name] !== original[name])
    .map((name) => `${NAMES[name].variable}=${fitted[name]}`);
  const fits = shutdownBudget({ ...fitted, gracePeriodMs }).fits;
  return (
    `the shutdown could take up to ${before.worstCaseMs} ms (${before.drainParts} + cleanup ${original.cleanupTimeoutMs} ms), which with ${before.headroomMs} ms of headroom does not fit the grace period of ${gracePeriodMs} ms (${gracePeriodSource}); ` +
    `started anyway with ${cuts.join(', ')}${fits ? '' : ` (still ${shutdownBudget({ ...fitted, gracePeriodMs }).overMs} ms over: lameduck's own waits and headroom need ${FIXED_WAITS_MS + HEADROOM_MS} ms)`}. ` +
    `Fix: raise terminationGracePeriodSeconds to at least ${Math.ceil(before.neededMs / 1000)} (and ${gracePeriodSource.split('=')[0]} with it), or set ${lower.join(' ')}; ${BUDGET_VARIABLE}=refuse refuses to start instead`
  );
}
