import type { AttachableServer } from './server-kind.js';

/**
 * The servers whose 'close' event is due. Node emits it on a later tick than the last
 * connection's close, once the listener is closed: a shutdown that reaches the exit within the
 * same run of promise callbacks never lets it fire, and the app's `server.on('close')` handlers
 * (and libraries that clean up there) never run. The shutdown watches each server from the
 * moment it closes its listener and waits for these events before the cleanup hooks.
 */
export class ServerCloseWatch {
  readonly #open = new Set<AttachableServer>();
  readonly #waiters = new Set<() => void>();

  /** Call just before the shutdown closes `server`'s listener; one that is not listening yet is due once it listens. */
  watch(server: AttachableServer): void {
    const due = () => {
      this.#open.add(server);
      server.once('close', () => {
        this.#open.delete(server);
        if (this.#open.size === 0) for (const wake of this.#waiters) wake();
      });
    };
    if (server.listening) due();
    else server.once('listening', due);
  }

  /** Servers whose listener was closed and that have not emitted 'close' yet. */
  get open(): number {
    return this.#open.size;
  }

  /**
   * Resolves once every due server has emitted 'close', or after `ms`, or when `signal` aborts,
   * with the number still open; never rejects, and leaves no timer behind.
   */
  whenClosed(ms: number, signal?: AbortSignal): Promise<number> {
    if (this.#open.size === 0 || signal?.aborted || ms <= 0) return Promise.resolve(this.#open.size);
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(handle);
        signal?.removeEventListener('abort', finish);
        this.#waiters.delete(finish);
        resolve(this.#open.size);
      };
      const handle = setTimeout(finish, ms);
      signal?.addEventListener('abort', finish, { once: true });
      this.#waiters.add(finish);
    });
  }
}
