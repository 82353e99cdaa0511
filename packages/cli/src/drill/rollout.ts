import { isActive, isAvailable, isReady, type PodState } from './pod.js';

/** The two ReplicaSets of a rollout: their desired sizes, and how many of their pods are available. */
export interface RolloutState {
  replicas: number;
  maxSurge: number;
  maxUnavailable: number;
  newDesired: number;
  newAvailable: number;
  oldDesired: number;
  oldAvailable: number;
}

export interface Scale {
  newDesired: number;
  oldDesired: number;
}

/**
 * One sync of the Deployment controller's RollingUpdate strategy (pkg/controller/deployment/
 * rolling.go): first scale the new ReplicaSet up as far as maxSurge allows, and if that changed
 * nothing, scale old ReplicaSets down as far as maxUnavailable allows — unavailable old pods
 * first, then available ones while the available count stays at replicas − maxUnavailable.
 * Terminating pods are not counted, as in Kubernetes' default pod replacement policy.
 */
export function rollingUpdateStep(state: RolloutState): Scale {
  const { replicas, maxSurge, maxUnavailable, newAvailable, oldAvailable } = state;
  let { newDesired, oldDesired } = state;

  // reconcileNewReplicaSet
  if (newDesired > replicas) return { newDesired: replicas, oldDesired };
  if (newDesired < replicas) {
    const maxTotal = replicas + maxSurge;
    const current = newDesired + oldDesired;
    if (current < maxTotal) {
      const scaleUp = Math.min(maxTotal - current, replicas - newDesired);
      if (scaleUp > 0) return { newDesired: newDesired + scaleUp, oldDesired };
    }
  }

  // reconcileOldReplicaSets
  if (oldDesired === 0) return { newDesired, oldDesired };
  const minAvailable = replicas - maxUnavailable;
  const newUnavailable = newDesired - newAvailable;
  const maxScaledDown = newDesired + oldDesired - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return { newDesired, oldDesired };
  const cleanup = Math.min(maxScaledDown, Math.max(0, oldDesired - oldAvailable));
  oldDesired -= cleanup;
  const available = newAvailable + oldAvailable;
  if (available > minAvailable) oldDesired -= Math.min(oldDesired, available - minAvailable);
  return { newDesired, oldDesired };
}

/**
 * The Recreate strategy: scale the old ReplicaSet to 0, wait until none of its pods is left
 * (terminating ones included), then scale the new one up.
 */
export function recreateStep(state: RolloutState & { oldPodsLeft: number }): Scale {
  if (state.oldDesired > 0) return { newDesired: state.newDesired, oldDesired: 0 };
  if (state.oldPodsLeft > 0) return { newDesired: state.newDesired, oldDesired: 0 };
  return { newDesired: state.replicas, oldDesired: 0 };
}

/**
 * What a ReplicaSet does about its pods: how many to create, and which to delete, chosen as the
 * ReplicaSet controller ranks them — not ready before ready, ready for less time before ready for
 * longer, newer before older.
 */
export function replicaSetStep(
  desired: number,
  pods: readonly PodState[],
): { create: number; remove: PodState[] } {
  const active = pods.filter(isActive);
  if (active.length < desired) return { create: desired - active.length, remove: [] };
  const ranked = [...active].sort(
    (a, b) =>
      Number(isReady(a)) - Number(isReady(b)) ||
      (b.readySinceMs ?? 0) - (a.readySinceMs ?? 0) ||
      b.createdAtMs - a.createdAtMs,
  );
  return { create: 0, remove: ranked.slice(0, active.length - desired) };
}

/** The available pods of a version. */
export function countAvailable(pods: readonly PodState[], nowMs: number, minReadyMs: number): number {
  return pods.filter((pod) => isAvailable(pod, nowMs, minReadyMs)).length;
}
