// The doctor's judgement: how much is too little. Defaults (what a manifest gets when it says
// nothing) are in ../kubernetes/defaults.ts.

/**
 * For a container that is not a lameduck app: the least time it should have after SIGTERM to
 * finish in-flight requests, when the manifest says nothing about its own shutdown.
 */
export const GENERIC_SHUTDOWN_MS = 5_000;

/** Above this, liveness' `initialDelaySeconds` is standing in for a startup probe. */
export const MAX_LIVENESS_INITIAL_DELAY_SECONDS = 10;

/**
 * The least pause before the listener closes for pods behind an AWS load balancer with IP
 * targets: the controller deregisters the pod's IP only after it sees the pod terminating, and
 * the load balancer goes on sending new requests to a deregistering target for tens of seconds
 * (reports of minutes: kubernetes-sigs/aws-load-balancer-controller#3270).
 */
export const AWS_IP_TARGET_PAUSE_MS = 30_000;
