import { type Hook, type HookFunction, HookList, type HookOptions } from '../hooks.js';
import { LameduckConfigError } from '../index.js';
import { checkBudget } from './budget.js';
import type { DrainSettings } from './options.js';
import type { UpgradedSocketsHook } from './shutdown.js';

/**
 * The drain engine's three hook lists, and the rule that binds them: a hook whose timeout makes
 * the worst-case shutdown outlast the grace period is refused when it is registered.
 */
export class EngineHooks {
  readonly drainStart: HookList;
  readonly upgraded: HookList<UpgradedSocketsHook>;
  readonly cleanup: HookList;
  readonly #settings: DrainSettings;
  #cleanupStarted = false;

  constructor(settings: DrainSettings) {
    this.#settings = settings;
    this.drainStart = new HookList('drain-start', settings.hookTimeoutMs);
    this.upgraded = new HookList<UpgradedSocketsHook>('upgraded', settings.hookTimeoutMs);
    this.cleanup = new HookList('cleanup', settings.hookTimeoutMs);
    this.checkBudget();
  }

  /** Throws a LameduckConfigError when the configuration cannot finish within the grace period. */
  checkBudget(): void {
    const settings = this.#settings;
    checkBudget({
      drainDelayMs: settings.drainDelayMs,
      drainTimeoutMs: settings.drainTimeoutMs,
      drainStartHooks: this.drainStart.list(),
      upgradedHooks: this.upgraded.list(),
      cleanupHooks: this.cleanup.list(),
      gracePeriodMs: settings.gracePeriodMs,
      gracePeriodSource: settings.gracePeriodSource,
    });
  }

  addDrainStart(name: string, fn: HookFunction, options?: HookOptions): { hook: Hook; remove: () => void } {
    return this.#withinBudget(this.drainStart.add(name, fn, options));
  }

  addUpgraded(name: string, fn: UpgradedSocketsHook, options?: HookOptions): () => void {
    return this.#withinBudget(this.upgraded.add(name, fn, options)).remove;
  }

  addCleanup(name: string, fn: HookFunction, options?: HookOptions): () => void {
    if (this.#cleanupStarted) {
      throw new LameduckConfigError(
        `onCleanup("${name}") called after the cleanup step started; register cleanup hooks at startup`,
      );
    }
    return this.#withinBudget(this.cleanup.add(name, fn, options)).remove;
  }

  /** The shutdown reached its cleanup step: hooks registered from now on could not run. */
  cleanupStarted(): void {
    this.#cleanupStarted = true;
  }

  #withinBudget<R extends { remove: () => void }>(registered: R): R {
    try {
      this.checkBudget();
    } catch (error) {
      registered.remove();
      throw error;
    }
    return registered;
  }
}
