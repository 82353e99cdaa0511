import { errorMessage, safeString } from './describe.js';
import type { Logger } from './logger.js';

/**
 * starting ──ready()──▶ ready ──drain()──▶ draining ──close()──▶ closed
 *     └───────────────────drain()──────────────▶ draining
 */
export type LifecycleState = 'starting' | 'ready' | 'draining' | 'closed';

export interface StateChange {
  readonly from: LifecycleState;
  readonly to: LifecycleState;
  readonly reason: string;
  /** Milliseconds since the epoch, from the clock given to the lifecycle. */
  readonly at: number;
}

/** A transition that was asked for but makes no sense in the current state; nothing changed. */
export interface IgnoredTransition {
  readonly requested: LifecycleState;
  readonly state: LifecycleState;
  readonly reason: string;
  readonly at: number;
  readonly message: string;
}

const ALLOWED: Record<LifecycleState, readonly LifecycleState[]> = {
  starting: ['ready', 'draining'],
  ready: ['draining'],
  draining: ['closed'],
  closed: [],
};

export interface StateMachineOptions {
  now?: () => number;
  logger: Logger;
}

/**
 * The lifecycle's one-way state machine. A transition that is not allowed (ready() after
 * shutdown, drain twice) is a no-op: it returns false, logs one warning and tells `ignored`
 * listeners, but never throws into the caller's path.
 */
export class StateMachine {
  #state: LifecycleState = 'starting';
  readonly #history: StateChange[] = [];
  readonly #changeListeners = new Set<(change: StateChange) => void>();
  readonly #ignoredListeners = new Set<(ignored: IgnoredTransition) => void>();
  readonly #now: () => number;
  readonly #logger: Logger;
  /** Events waiting for delivery: a transition made by a listener is told after the current one. */
  readonly #outbox: (() => void)[] = [];
  #delivering = false;

  constructor(options: StateMachineOptions) {
    this.#now = options.now ?? Date.now;
    this.#logger = options.logger;
  }

  get state(): LifecycleState {
    return this.#state;
  }

  /** Every transition so far, oldest first. */
  get history(): readonly StateChange[] {
    return [...this.#history];
  }

  transition(to: LifecycleState, reasonGiven: string): boolean {
    // Callers outside TypeScript may pass anything; a reason whose toString throws must not.
    const reason = safeString(reasonGiven);
    const from = this.#state;
    const at = this.#now();
    if (!ALLOWED[from].includes(to)) {
      const message =
        from === to
          ? `ignored ${verb(to)} (${reason}): the lifecycle is already ${from}`
          : to === 'closed'
            ? `ignored ${verb(to)} (${reason}): the lifecycle is ${from}, and only a draining lifecycle closes; drain first`
            : `ignored ${verb(to)} (${reason}): the lifecycle is ${from}, and ${from} never goes back to ${to}`;
      this.#logger.warn(message, { state: from, requested: to, reason });
      const ignored: IgnoredTransition = { requested: to, state: from, reason, at, message };
      this.#deliver(this.#ignoredListeners, ignored);
      return false;
    }
    this.#state = to;
    const change: StateChange = { from, to, reason, at };
    this.#history.push(change);
    this.#logger.info(`state ${from} -> ${to} (${reason})`, { state: to, from, reason });
    this.#deliver(this.#changeListeners, change);
    return true;
  }

  onChange(listener: (change: StateChange) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  onIgnored(listener: (ignored: IgnoredTransition) => void): () => void {
    this.#ignoredListeners.add(listener);
    return () => this.#ignoredListeners.delete(listener);
  }

  // Events go out in the order they happened, even when a listener changes the state itself.
  #deliver<T>(listeners: ReadonlySet<(event: T) => void>, event: T): void {
    const snapshot = [...listeners];
    this.#outbox.push(() => {
      for (const listener of snapshot) this.#notify(listener, event);
    });
    if (this.#delivering) return;
    this.#delivering = true;
    try {
      for (let next = this.#outbox.shift(); next; next = this.#outbox.shift()) next();
    } finally {
      this.#delivering = false;
    }
  }

  // A listener's mistake is logged, never thrown into the code that changed the state.
  #notify<T>(listener: (event: T) => void, event: T): void {
    try {
      listener(event);
    } catch (error) {
      this.#logger.error(`a state listener threw: ${errorMessage(error)}`);
    }
  }
}

function verb(to: LifecycleState): string {
  switch (to) {
    case 'ready':
      return 'ready()';
    case 'draining':
      return 'shutdown';
    case 'closed':
      return 'close';
    default:
      return to;
  }
}
