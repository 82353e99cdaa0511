// The numbers the rules assume when a manifest leaves something out. Kubernetes' own defaults
// come from the API reference; lameduck's from @lameduck/core's ENVIRONMENT table, the one the
// drain engine itself reads.
import { ENVIRONMENT } from '@lameduck/core';

/** `terminationGracePeriodSeconds` when unset. */
export const DEFAULT_GRACE_PERIOD_SECONDS = 30;
/** A probe's `timeoutSeconds` when unset. */
export const DEFAULT_PROBE_TIMEOUT_SECONDS = 1;
/** `strategy.rollingUpdate.maxUnavailable` of a Deployment when unset. */
export const DEFAULT_MAX_UNAVAILABLE = '25%';

/**
 * lameduck's drain delay (`LAMEDUCK_DRAIN_DELAY_MS`) when unset, in a pod: Kubernetes sets
 * KUBERNETES_SERVICE_HOST in every container, and lameduck then pauses this long after SIGTERM.
 */
export const DEFAULT_DRAIN_DELAY_IN_POD_MS = ENVIRONMENT.drainDelayMs.kubernetesDefaultMs;

/** lameduck's drain timeout (`LAMEDUCK_DRAIN_TIMEOUT_MS`) when unset. */
export const DEFAULT_DRAIN_TIMEOUT_MS = ENVIRONMENT.drainTimeoutMs.defaultMs;
/** lameduck's cleanup-hook timeout (`LAMEDUCK_HOOK_TIMEOUT_MS`) when unset. */
export const DEFAULT_HOOK_TIMEOUT_MS = ENVIRONMENT.hookTimeoutMs.defaultMs;
/** lameduck's health-check timeout (`LAMEDUCK_CHECK_TIMEOUT_MS`) when unset. */
export const DEFAULT_CHECK_TIMEOUT_MS = ENVIRONMENT.checkTimeoutMs.defaultMs;
/** lameduck-probe's `--timeout` when not given. */
export const DEFAULT_PROBE_COMMAND_TIMEOUT_MS = 1_000;

/**
 * Room left in the grace period after the last hook: signal delivery, event-loop lag, flushing
 * logs and process exit. SIGKILL comes at the grace period whether or not the process is done.
 */
export const GRACE_MARGIN_MS = 2_000;

/**
 * For a container that is not a lameduck app: the least time it should have after SIGTERM to
 * finish in-flight requests, when the manifest says nothing about its own shutdown.
 */
export const GENERIC_SHUTDOWN_MS = 5_000;

/** Above this, liveness' `initialDelaySeconds` is standing in for a startup probe. */
export const MAX_LIVENESS_INITIAL_DELAY_SECONDS = 10;

/** The variables lameduck's drain engine reads, by the option they set. */
export const ENV = {
  drainDelay: ENVIRONMENT.drainDelayMs.variable,
  drainTimeout: ENVIRONMENT.drainTimeoutMs.variable,
  hookTimeout: ENVIRONMENT.hookTimeoutMs.variable,
  checkTimeout: ENVIRONMENT.checkTimeoutMs.variable,
} as const;
