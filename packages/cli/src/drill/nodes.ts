/**
 * The virtual nodes of a node drain: which node each pod runs on, which nodes are cordoned, and
 * where the scheduler puts a new pod. Nodes here are names only (every pod still runs on this
 * host); what matters to a drain is which pods share a node.
 */
export class Nodes {
  readonly #cordoned = new Set<string>();
  readonly #podNode = new Map<string, string>();
  readonly names: readonly string[];
  /** Where the first pods go, in order (a, a, b); after that the scheduler decides. */
  readonly #initial: string[];

  constructor(names: readonly string[], initialPlacement: readonly string[]) {
    for (const node of initialPlacement)
      if (!names.includes(node))
        throw new Error(`initial placement names node ${node}, not one of ${names.join(', ')}`);
    this.names = names;
    this.#initial = [...initialPlacement];
  }

  /** Places a new pod: the next initial placement, else the schedulable node with the fewest pods. */
  place(pod: string): string {
    const node = this.#initial.shift() ?? this.#leastLoaded();
    this.#podNode.set(pod, node);
    return node;
  }

  /** kubectl cordon: no new pod is scheduled there. */
  cordon(node: string): void {
    this.#cordoned.add(node);
  }

  isCordoned(node: string): boolean {
    return this.#cordoned.has(node);
  }

  nodeOf(pod: string): string | undefined {
    return this.#podNode.get(pod);
  }

  podsOn(node: string): string[] {
    return [...this.#podNode].filter(([, where]) => where === node).map(([pod]) => pod);
  }

  /** The pod is gone (its object deleted): it no longer counts on its node. */
  remove(pod: string): void {
    this.#podNode.delete(pod);
  }

  #leastLoaded(): string {
    const schedulable = this.names.filter((node) => !this.#cordoned.has(node));
    const [first, ...rest] = schedulable;
    if (first === undefined) throw new Error('every node is cordoned: the pod stays Pending');
    // The default scheduler spreads a ReplicaSet's pods (PodTopologySpread by hostname).
    return rest.reduce(
      (best, node) => (this.podsOn(node).length < this.podsOn(best).length ? node : best),
      first,
    );
  }
}
