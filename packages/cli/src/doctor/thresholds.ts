// The doctor's judgement: how much is too little. Defaults (what a manifest gets when it says
// nothing) are in ../kubernetes/defaults.ts.

/**
 * For a container that is not a lameduck app: the least time it should have after SIGTERM to
 * finish in-flight requests, when the manifest says nothing about its own shutdown.
 */
export const GENERIC_SHUTDOWN_MS = 5_000;

/** Above this, liveness' `initialDelaySeconds` is standing in for a startup probe. */
export const MAX_LIVENESS_INITIAL_DELAY_SECONDS = 10;
