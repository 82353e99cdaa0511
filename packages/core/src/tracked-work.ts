/**
 * Work that is not a request — a queue consumer's job, a cron run, an upload, an outgoing
 * webhook — tracked so that the shutdown waits for it before the cleanup hooks close what it
 * uses, bounded by the drain deadline. No `node:` import: any runtime's drain can wait on it.
 */
export class TrackedWork {
  /** Each pending piece of work, by a token of its own, with the name the logs give it. */
  readonly #pending = new Map<object, string>();
  readonly #idleWaiters = new Set<() => void>();
  #finished = 0;

  /** Tracks `work` until it settles (fulfilled or rejected); returns it as a Promise. */
  track<T>(work: PromiseLike<T> | T, name = 'work'): Promise<T> {
    const promise = Promise.resolve(work);
    const token = {};
    this.#pending.set(token, name);
    // Our side only: a rejection stays the caller's to handle, never an unhandled one of ours.
    const settle = () => this.#settle(token);
    promise.then(settle, settle);
    return promise;
  }

  /** Work tracked and not settled yet. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Work tracked that has settled, since the start. */
  get finished(): number {
    return this.#finished;
  }

  /** The names of the pending work, for a log line: the first `limit`, then how many more. */
  describePending(limit = 5): string {
    const names = [...this.#pending.values()];
    const shown = names.slice(0, limit).map((name) => `"${name}"`);
    return names.length > limit ? `${shown.join(', ')} and ${names.length - limit} more` : shown.join(', ');
  }

  /** Resolves once nothing tracked is pending (at once when nothing is). */
  whenIdle(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.add(resolve));
  }

  #settle(token: object): void {
    if (!this.#pending.delete(token)) return;
    this.#finished += 1;
    if (this.#pending.size > 0) return;
    for (const resolve of this.#idleWaiters) resolve();
    this.#idleWaiters.clear();
  }
}
