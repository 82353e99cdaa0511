import { type DisruptionBudget, evictionVerdict } from './disruption-budget.js';

/** What the Eviction API answers a POST to pods/<name>/eviction. */
export type EvictionAnswer =
  | { status: 201 }
  /** Too Many Requests: the budget allows no disruption now; kubectl retries. */
  | { status: 429; message: string }
  /** The pod is gone already. */
  | { status: 404 };

export interface EvictionOptions {
  budget: DisruptionBudget | undefined;
  /** The replicas of the pods' controller (the budget's expected count). */
  expected: () => number;
  /** The pods the budget selects: every pod of the Deployment not gone yet. */
  pods: () => readonly { name: string; healthy: boolean }[];
  /** An eviction that goes ahead deletes the pod (its graceful termination starts). */
  remove: (pod: string) => void;
}

/**
 * The Eviction API in front of one Deployment's pods: checks the PodDisruptionBudget and deletes
 * the pod, or answers 429. Evictions are answered one at a time, each counting the pods as the
 * one before left them — as the API server's update of the budget's status serialises them (a
 * second eviction on the same budget conflicts, is retried, and sees the first).
 */
export class EvictionApi {
  readonly #options: EvictionOptions;
  /** 429 answers given. */
  refused = 0;
  evicted = 0;

  constructor(options: EvictionOptions) {
    this.#options = options;
  }

  evict(name: string): EvictionAnswer {
    const pods = this.#options.pods();
    const pod = pods.find((candidate) => candidate.name === name);
    if (!pod) return { status: 404 };
    const count = {
      expected: this.#options.expected(),
      healthy: pods.filter((candidate) => candidate.healthy).length,
    };
    const verdict = evictionVerdict(this.#options.budget, count, pod.healthy);
    if (!verdict.allowed) {
      this.refused += 1;
      return { status: 429, message: verdict.message };
    }
    this.evicted += 1;
    this.#options.remove(name);
    return { status: 201 };
  }
}
