/** Something that happened during a run, at `atMs` after the run started. */
export interface DrillEvent {
  atMs: number;
  /** The pod it concerns, if any. */
  pod?: string;
  kind: EventKind;
  detail?: string;
}

export type EventKind =
  | 'pod-created'
  | 'pod-started'
  | 'pod-ready'
  | 'pod-unready'
  | 'pod-deleted'
  | 'prestop-done'
  | 'sigterm'
  | 'sigkill'
  | 'pod-exited'
  | 'container-restarted'
  | 'endpoints-changed'
  | 'endpoints-applied'
  | 'load-started'
  | 'rollout-started'
  | 'rollout-complete'
  | 'drain-started'
  /** Placed on a node (a node drain's pods). */
  | 'pod-scheduled'
  /** A line of kubectl drain's output: cordoned, evicting, a 429, evicted, drained. */
  | 'kubectl'
  | 'drain-complete'
  | 'load-stopped';

/** The run's clock and its list of events, shared by every part of the simulation. */
export class Timeline {
  readonly #startedAt = performance.now();
  readonly events: DrillEvent[] = [];
  readonly #listeners = new Set<(event: DrillEvent) => void>();

  /** Milliseconds since the run started. */
  now(): number {
    return performance.now() - this.#startedAt;
  }

  record(kind: EventKind, pod?: string, detail?: string): DrillEvent {
    const event: DrillEvent = {
      atMs: Math.round(this.now()),
      kind,
      ...(pod === undefined ? {} : { pod }),
      ...(detail === undefined ? {} : { detail }),
    };
    this.events.push(event);
    for (const listener of this.#listeners) listener(event);
    return event;
  }

  onEvent(listener: (event: DrillEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
