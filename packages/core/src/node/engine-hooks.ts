import { type Hook, type HookFunction, HookList, type HookOptions } from '../hooks.js';
import { LameduckConfigError, type Logger } from '../index.js';
import { checkHookBudget } from './budget.js';
import type { DrainSettings } from './options.js';
import type { UpgradedSocketsHook } from './shutdown.js';

/**
 * The drain engine's three hook lists, and the rule that binds them: cleanup hooks share the
 * cleanup phase's budget, so any number of them fits; an early-notice or upgraded-socket hook
 * whose timeout outlasts what the grace period leaves is refused (`budget: 'refuse'`) or given
 * the longest timeout that fits, with a warning (`'fit'`).
 */
export class EngineHooks {
  readonly drainStart: HookList;
  readonly upgraded: HookList<UpgradedSocketsHook>;
  readonly cleanup: HookList;
  readonly #settings: DrainSettings;
  readonly #logger: Logger | undefined;
  #cleanupStarted = false;

  constructor(settings: DrainSettings, logger?: Logger) {
    this.#settings = settings;
    this.#logger = logger;
    this.drainStart = new HookList('drain-start', settings.hookTimeoutMs);
    this.upgraded = new HookList<UpgradedSocketsHook>('upgraded', settings.hookTimeoutMs);
    this.cleanup = new HookList('cleanup', settings.hookTimeoutMs);
  }

  addDrainStart(name: string, fn: HookFunction, options?: HookOptions): { hook: Hook; remove: () => void } {
    return this.#withinBudget(this.drainStart, name, fn, options);
  }

  addUpgraded(name: string, fn: UpgradedSocketsHook, options?: HookOptions): () => void {
    return this.#withinBudget(this.upgraded, name, fn, options).remove;
  }

  addCleanup(name: string, fn: HookFunction, options?: HookOptions): () => void {
    if (this.#cleanupStarted) {
      throw new LameduckConfigError(
        `onCleanup("${name}") called after the cleanup step started; register cleanup hooks at startup`,
      );
    }
    return this.cleanup.add(name, fn, options).remove;
  }

  /** The shutdown reached its cleanup step: hooks registered from now on could not run. */
  cleanupStarted(): void {
    this.#cleanupStarted = true;
  }

  // biome-ignore lint/suspicious/noExplicitAny: hook lists hold functions of any signature.
  #withinBudget<F extends (...args: any[]) => unknown>(
    list: HookList<F>,
    name: string,
    fn: F,
    options?: HookOptions,
  ): { hook: Hook<F>; remove: () => void } {
    const registered = list.add(name, fn, options);
    let fittedMs: number | undefined;
    try {
      fittedMs = this.#check(registered.hook.timeoutMs);
    } catch (error) {
      registered.remove();
      throw error;
    }
    if (fittedMs === undefined) return registered;
    registered.remove();
    const label = list === this.drainStart ? 'early-notice' : 'upgraded-socket';
    this.#logger?.warn(
      `${label} hook "${name}" asked for ${registered.hook.timeoutMs} ms, which would outlast the grace period of ${this.#settings.gracePeriodMs} ms (${this.#settings.gracePeriodSource}); it gets ${fittedMs} ms. Fix: lower its timeoutMs to ${fittedMs}, or raise terminationGracePeriodSeconds; LAMEDUCK_BUDGET=refuse refuses instead`,
    );
    return list.add(name, fn, { ...options, timeoutMs: fittedMs });
  }

  #check(hookMs: number): number | undefined {
    const settings = this.#settings;
    return checkHookBudget(
      {
        drainDelayMs: settings.drainDelayMs,
        drainTimeoutMs: settings.drainTimeoutMs,
        cleanupTimeoutMs: settings.cleanupTimeoutMs,
        drainStartHooks: this.drainStart.list(),
        upgradedHooks: this.upgraded.list(),
        ...(settings.gracePeriodMs === undefined ? {} : { gracePeriodMs: settings.gracePeriodMs }),
        ...(settings.gracePeriodSource === undefined
          ? {}
          : { gracePeriodSource: settings.gracePeriodSource }),
      },
      settings.budget,
      hookMs,
    );
  }
}
