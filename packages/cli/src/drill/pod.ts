import type { ProcessExit } from './pod-process.js';

/**
 * A pod as the rest of the simulation sees it: what the API server would hold. The kubelet
 * (kubelet.ts) is the only writer.
 */
export interface PodState {
  readonly name: string;
  /** The ReplicaSet's revision: "v1" before the rollout, "v2" after. */
  readonly version: string;
  readonly host: string;
  readonly port: number;
  readonly createdAtMs: number;
  /** The container passed its startup probe (or has none) and runs. */
  started: boolean;
  /** The readiness probe's current result (its initial value is "not ready"). */
  probeReady: boolean;
  /** Has been ready at least once. */
  everReady: boolean;
  /** When `probeReady` last became true, for minReadySeconds. */
  readySinceMs: number | undefined;
  /** Set by a delete: the pod is terminating from that moment on. */
  deletedAtMs: number | undefined;
  /** Set when the main process has exited for good (not a container restart). */
  exit: ProcessExit | undefined;
  restarts: number;
  /** SIGKILLed at the end of its grace period. */
  killed: boolean;
}

/** Ready in the EndpointSlice sense: readiness passes and the pod is not terminating. */
export function isReady(pod: PodState): boolean {
  return pod.probeReady && pod.deletedAtMs === undefined && pod.exit === undefined;
}

/** Available to the Deployment controller: ready for at least minReadySeconds. */
export function isAvailable(pod: PodState, nowMs: number, minReadyMs: number): boolean {
  return isReady(pod) && pod.readySinceMs !== undefined && nowMs - pod.readySinceMs >= minReadyMs;
}

/** Counted by its ReplicaSet: not terminating and not gone. */
export function isActive(pod: PodState): boolean {
  return pod.deletedAtMs === undefined && pod.exit === undefined;
}
