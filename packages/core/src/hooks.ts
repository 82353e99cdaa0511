import { describeThrown, describeValue } from './describe.js';
import { durationOption, MAX_DURATION_MS } from './duration.js';
import { LameduckConfigError } from './errors.js';
import type { Logger } from './logger.js';
import { checkOptionKeys } from './option-keys.js';

/**
 * A shutdown hook. Its signal aborts when lameduck stops waiting for it (at its timeout), so a
 * hook can stop early: pass it to `fetch`, a driver's close, or a consumer's stop.
 */
export type HookFunction = (signal: AbortSignal) => unknown;

export interface HookOptions {
  /** Stop waiting for the hook after this long, log it as failed, and move on. Default: hookTimeoutMs (5000 ms). */
  timeoutMs?: number;
}

const HOOK_OPTION_KEYS: Readonly<Record<keyof HookOptions, true>> = { timeoutMs: true };

export type HookPhase = 'drain-start' | 'upgraded' | 'cleanup';

// biome-ignore lint/suspicious/noExplicitAny: hook lists hold functions of any signature.
export interface Hook<F extends (...args: any[]) => unknown = HookFunction> {
  readonly name: string;
  readonly fn: F;
  readonly timeoutMs: number;
}

export interface HookOutcome {
  readonly name: string;
  readonly phase: HookPhase;
  readonly ok: boolean;
  readonly timedOut: boolean;
  readonly durationMs: number;
  readonly error?: string;
}

const LABELS: Record<HookPhase, string> = {
  'drain-start': 'early-notice hook',
  upgraded: 'upgraded-socket hook',
  cleanup: 'cleanup hook',
};

/** The hooks of one phase, in registration order. */
// biome-ignore lint/suspicious/noExplicitAny: hook lists hold functions of any signature.
export class HookList<F extends (...args: any[]) => unknown = HookFunction> {
  readonly #hooks: Hook<F>[] = [];
  readonly #phase: HookPhase;
  readonly #defaultTimeoutMs: number;

  constructor(phase: HookPhase, defaultTimeoutMs: number) {
    this.#phase = phase;
    this.#defaultTimeoutMs = defaultTimeoutMs;
  }

  /** Validates and registers a hook; returns it, and a function that unregisters it. */
  add(name: string, fn: F, options: HookOptions = {}): { hook: Hook<F>; remove: () => void } {
    const label = LABELS[this.#phase];
    if (typeof name !== 'string' || name.trim() === '' || name.length > 100) {
      throw new LameduckConfigError(
        `a ${label} needs a name (1-100 characters) for the logs, got ${describeValue(name)}`,
      );
    }
    if (typeof fn !== 'function') {
      throw new LameduckConfigError(
        `${label} "${name}" must be a function returning nothing or a promise, got ${describeValue(fn)}`,
      );
    }
    if (options === null || typeof options !== 'object') {
      throw new LameduckConfigError(
        `options of ${label} "${name}" must be an object, got ${describeValue(options)}`,
      );
    }
    checkOptionKeys(options, HOOK_OPTION_KEYS, `${label} "${name}"`);
    const timeoutMs = durationOption(
      `timeoutMs of ${label} "${name}"`,
      options.timeoutMs,
      this.#defaultTimeoutMs,
      {
        minMs: 1,
        maxMs: MAX_DURATION_MS,
      },
    );
    const hook: Hook<F> = { name, fn, timeoutMs };
    this.#hooks.push(hook);
    return {
      hook,
      remove: () => {
        const index = this.#hooks.indexOf(hook);
        if (index !== -1) this.#hooks.splice(index, 1);
      },
    };
  }

  /** The hooks registered now, oldest first. */
  list(): readonly Hook<F>[] {
    return [...this.#hooks];
  }
}

/**
 * Runs one hook, bounded by its timeout. Never throws: a hook that throws, rejects or outlives
 * its timeout is logged once as an error and reported in the outcome, so the next one still runs.
 */
export async function runHook(
  hook: Hook,
  phase: HookPhase,
  logger: Logger,
  now: () => number,
  options: { logSuccess: boolean } = { logSuccess: true },
): Promise<HookOutcome> {
  const label = LABELS[phase];
  const startedAt = now();
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), hook.timeoutMs);
  });
  const settled = Promise.resolve()
    .then(() => hook.fn(controller.signal))
    .then(
      () => ({ ok: true as const }),
      (error: unknown) => ({ ok: false as const, error: describeThrown(error) }),
    );
  const result = await Promise.race([settled, timedOut]);
  clearTimeout(timer);
  const durationMs = now() - startedAt;
  if (result === 'timeout') {
    controller.abort(new Error(`${label} "${hook.name}" timed out after ${hook.timeoutMs} ms`));
    const error = `did not finish within its ${hook.timeoutMs} ms timeout`;
    logger.error(`${label} "${hook.name}" ${error}; abandoned it (its signal is aborted) and moved on`, {
      hook: hook.name,
      phase,
      durationMs,
      timedOut: true,
    });
    return { name: hook.name, phase, ok: false, timedOut: true, durationMs, error };
  }
  if (!result.ok) {
    logger.error(`${label} "${hook.name}" failed after ${durationMs} ms: ${result.error}`, {
      hook: hook.name,
      phase,
      durationMs,
      error: result.error,
    });
    return { name: hook.name, phase, ok: false, timedOut: false, durationMs, error: result.error };
  }
  if (options.logSuccess) {
    logger.info(`${label} "${hook.name}" finished in ${durationMs} ms`, {
      hook: hook.name,
      phase,
      durationMs,
    });
  }
  return { name: hook.name, phase, ok: true, timedOut: false, durationMs };
}

/**
 * Runs the cleanup hooks newest first, one after another, inside one budget they share: each is
 * bounded by the lesser of its own timeout and what is left of the phase, so the phase never
 * outlasts `budgetMs` however many hooks the app (or its framework) registered. A hook reached
 * when the budget is spent is not called: it is logged and reported as timed out.
 */
export async function runCleanupPhase(
  hooks: readonly Hook[],
  budgetMs: number,
  logger: Logger,
  now: () => number,
  tell: (outcome: HookOutcome) => HookOutcome = (outcome) => outcome,
): Promise<HookOutcome[]> {
  const startedAt = now();
  const outcomes: HookOutcome[] = [];
  for (const hook of [...hooks].reverse()) {
    const leftMs = Math.floor(budgetMs - (now() - startedAt));
    if (leftMs <= 0) {
      const error = `not run: the cleanup phase's ${budgetMs} ms (cleanupTimeoutMs) were spent`;
      logger.error(`cleanup hook "${hook.name}" ${error}; raise LAMEDUCK_CLEANUP_TIMEOUT_MS to run it`, {
        hook: hook.name,
        phase: 'cleanup',
        durationMs: 0,
        timedOut: true,
      });
      outcomes.push(
        tell({ name: hook.name, phase: 'cleanup', ok: false, timedOut: true, durationMs: 0, error }),
      );
      continue;
    }
    const bounded = leftMs < hook.timeoutMs ? { ...hook, timeoutMs: leftMs } : hook;
    outcomes.push(tell(await runHook(bounded, 'cleanup', logger, now)));
  }
  return outcomes;
}
