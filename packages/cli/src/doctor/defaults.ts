// The numbers the rules assume when a manifest leaves something out. Kubernetes' own defaults
// come from the API reference; lameduck's from DESIGN §3 and §4 (mirrored here so that the CLI
// depends on nothing but `yaml`).

/** `terminationGracePeriodSeconds` when unset. */
export const DEFAULT_GRACE_PERIOD_SECONDS = 30;
/** A probe's `timeoutSeconds` when unset. */
export const DEFAULT_PROBE_TIMEOUT_SECONDS = 1;
/** `strategy.rollingUpdate.maxUnavailable` of a Deployment when unset. */
export const DEFAULT_MAX_UNAVAILABLE = '25%';

/** lameduck's drain timeout (`DRAIN_TIMEOUT_MS`) when unset. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 20_000;
/** lameduck's cleanup-hook timeout (`HOOK_TIMEOUT_MS`) when unset. */
export const DEFAULT_HOOK_TIMEOUT_MS = 5_000;
/** lameduck's health-check timeout (`CHECK_TIMEOUT_MS`) when unset. */
export const DEFAULT_CHECK_TIMEOUT_MS = 500;
/** lameduck-probe's `--timeout` when not given. */
export const DEFAULT_PROBE_COMMAND_TIMEOUT_MS = 1_000;

/**
 * Room left in the grace period after the last hook: signal delivery, event-loop lag, flushing
 * logs and process exit. SIGKILL comes at the grace period whether or not the process is done.
 */
export const GRACE_MARGIN_MS = 2_000;

/** Above this, liveness' `initialDelaySeconds` is standing in for a startup probe. */
export const MAX_LIVENESS_INITIAL_DELAY_SECONDS = 10;

/** The variables `optionsFromEnv()` of @lameduck/core reads, by the option they set. */
export const ENV = {
  drainDelay: 'DRAIN_DELAY_MS',
  drainTimeout: 'DRAIN_TIMEOUT_MS',
  hookTimeout: 'HOOK_TIMEOUT_MS',
  checkTimeout: 'CHECK_TIMEOUT_MS',
} as const;

/** Also read for the hook timeout when HOOK_TIMEOUT_MS is absent: a prefixed spelling some setups use. */
export const HOOK_TIMEOUT_ALIAS = 'LAMEDUCK_HOOK_TIMEOUT_MS';
