// The numbers assumed when a manifest leaves something out: one table for Kubernetes' own defaults
// (from the API reference), read by the doctor's rules and by the drill's simulation alike, and
// lameduck's in-pod defaults from @lameduck/core's ENVIRONMENT table, the one the drain engine reads.
import { ENVIRONMENT } from '@lameduck/core';

/** What Kubernetes fills in for a field the manifest leaves out. */
export const KUBERNETES_DEFAULTS = {
  /** A Deployment's `replicas`. */
  replicas: 1,
  /** A pod's `terminationGracePeriodSeconds`. */
  terminationGracePeriodSeconds: 30,
  /** A Deployment's `strategy.rollingUpdate.maxSurge`. */
  maxSurge: '25%',
  /** A Deployment's `strategy.rollingUpdate.maxUnavailable`. */
  maxUnavailable: '25%',
  /** A Deployment's `minReadySeconds`. */
  minReadySeconds: 0,
  /** A probe's `initialDelaySeconds`, `periodSeconds`, `timeoutSeconds` and thresholds. */
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  failureThreshold: 3,
  successThreshold: 1,
} as const;

/**
 * lameduck's drain delay (`LAMEDUCK_DRAIN_DELAY_MS`) when unset, in a pod: Kubernetes sets
 * KUBERNETES_SERVICE_HOST in every container, and lameduck then pauses this long after SIGTERM.
 */
export const DEFAULT_DRAIN_DELAY_IN_POD_MS = ENVIRONMENT.drainDelayMs.kubernetesDefaultMs;
/** lameduck's drain timeout (`LAMEDUCK_DRAIN_TIMEOUT_MS`) when unset. */
export const DEFAULT_DRAIN_TIMEOUT_MS = ENVIRONMENT.drainTimeoutMs.defaultMs;
/** lameduck's per-hook timeout cap (`LAMEDUCK_HOOK_TIMEOUT_MS`) when unset. */
export const DEFAULT_HOOK_TIMEOUT_MS = ENVIRONMENT.hookTimeoutMs.defaultMs;
/** lameduck's cleanup-phase budget, shared by all cleanup hooks (`LAMEDUCK_CLEANUP_TIMEOUT_MS`), when unset. */
export const DEFAULT_CLEANUP_TIMEOUT_MS = ENVIRONMENT.cleanupTimeoutMs.defaultMs;
/** lameduck's health-check timeout (`LAMEDUCK_CHECK_TIMEOUT_MS`) when unset. */
export const DEFAULT_CHECK_TIMEOUT_MS = ENVIRONMENT.checkTimeoutMs.defaultMs;
/**
 * lameduck's HTTP/1 keep-alive timeout (`LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS`) when unset: above the
 * idle timeouts of the common proxies in front (ingress-nginx and AWS ALB 60 s). 0 means never.
 */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = ENVIRONMENT.keepAliveTimeoutMs.defaultMs;
/** The variable that sets it. */
export const KEEP_ALIVE_TIMEOUT_VARIABLE = ENVIRONMENT.keepAliveTimeoutMs.variable;
/** The signals lameduck starts its shutdown on unless the app passes `signals` itself. */
export const LAMEDUCK_SIGNALS: readonly string[] = ['SIGTERM', 'SIGINT'];
/** lameduck-probe's `--timeout` when not given. */
export const DEFAULT_PROBE_COMMAND_TIMEOUT_MS = 1_000;

/** The variables lameduck's drain engine reads, by the option they set. */
export const ENV = {
  drainDelay: ENVIRONMENT.drainDelayMs.variable,
  drainTimeout: ENVIRONMENT.drainTimeoutMs.variable,
  hookTimeout: ENVIRONMENT.hookTimeoutMs.variable,
  cleanupTimeout: ENVIRONMENT.cleanupTimeoutMs.variable,
  checkTimeout: ENVIRONMENT.checkTimeoutMs.variable,
} as const;
