/**
 * A PodDisruptionBudget as the disruption controller and the Eviction API apply it
 * (pkg/controller/disruption, pkg/registry/core/pod/storage/eviction.go): how many of the pods it
 * selects may be disrupted now. Only voluntary disruptions ask: an eviction does, a plain delete
 * (the Deployment's own rollout) does not.
 */
export type DisruptionBudget = { maxUnavailable: number } | { minAvailable: number };

export interface BudgetCount {
  /** The pods the budget expects: the owning controller's replicas. */
  expected: number;
  /** Ready and not terminating (the disruption controller's currentHealthy). */
  healthy: number;
}

/** How many healthy pods the budget keeps: desiredHealthy. */
export function desiredHealthy(budget: DisruptionBudget, expected: number): number {
  if ('maxUnavailable' in budget) return Math.max(0, expected - budget.maxUnavailable);
  return budget.minAvailable;
}

/** status.disruptionsAllowed: currentHealthy − desiredHealthy, never below 0. */
export function disruptionsAllowed(budget: DisruptionBudget, count: BudgetCount): number {
  return Math.max(0, count.healthy - desiredHealthy(budget, count.expected));
}

export type EvictionVerdict = { allowed: true } | { allowed: false; message: string };

/**
 * Whether an eviction of one pod may go ahead. A pod that is not healthy itself takes nothing
 * from the budget: with the default unhealthyPodEvictionPolicy (IfHealthyBudget) it may go while
 * the budget is met. No budget: every eviction goes ahead.
 */
export function evictionVerdict(
  budget: DisruptionBudget | undefined,
  count: BudgetCount,
  podHealthy: boolean,
): EvictionVerdict {
  if (budget === undefined) return { allowed: true };
  if (!podHealthy && count.healthy >= desiredHealthy(budget, count.expected)) return { allowed: true };
  if (disruptionsAllowed(budget, count) > 0) return { allowed: true };
  // The Eviction API's 429 Too Many Requests, as kubectl prints it.
  return {
    allowed: false,
    message: `Cannot evict pod as it would violate the pod's disruption budget (${count.healthy} healthy, ${desiredHealthy(budget, count.expected)} needed)`,
  };
}

/** "maxUnavailable 1", "minAvailable 2", "no PodDisruptionBudget". */
export function describeBudget(budget: DisruptionBudget | undefined): string {
  if (budget === undefined) return 'no PodDisruptionBudget';
  return 'maxUnavailable' in budget
    ? `PDB maxUnavailable ${budget.maxUnavailable}`
    : `PDB minAvailable ${budget.minAvailable}`;
}
