import { MAX_DURATION_MS } from './duration.js';
import { DEFAULT_KEEP_ALIVE_TIMEOUT_MS, MAX_KEEP_ALIVE_TIMEOUT_MS } from './keep-alive.js';

/** One variable of ENVIRONMENT: every value outside minMs..maxMs is refused at startup, by name. */
export interface EnvironmentRow {
  readonly variable: string;
  readonly defaultMs: number;
  /** Smallest accepted value (inclusive). */
  readonly minMs: number;
  /** Largest accepted value (inclusive): the same bound the option in code has. */
  readonly maxMs: number;
  /** The default inside a Kubernetes pod, where it differs. */
  readonly kubernetesDefaultMs?: number;
}

/**
 * The environment variables lameduck reads, with the option each sets and its default: the one
 * table that the drain engine, the demos' generated manifests and `lameduck doctor` share.
 *
 * Precedence, highest first: the environment variable (what the deployment says), the option in
 * code (the app's own default), lameduck's default below. `env: false` turns the environment off.
 */
export const ENVIRONMENT = {
  drainDelayMs: {
    variable: 'LAMEDUCK_DRAIN_DELAY_MS',
    defaultMs: 0,
    /** When `KUBERNETES_SERVICE_HOST` is set: long enough for kube-proxy and load balancers to drop the endpoint. */
    kubernetesDefaultMs: 5_000,
    minMs: 0,
    maxMs: MAX_DURATION_MS,
  },
  drainTimeoutMs: {
    variable: 'LAMEDUCK_DRAIN_TIMEOUT_MS',
    defaultMs: 20_000,
    minMs: 0,
    maxMs: MAX_DURATION_MS,
  },
  /** The cap of each hook that sets no timeoutMs of its own; a hook of 0 ms could never run. */
  hookTimeoutMs: { variable: 'LAMEDUCK_HOOK_TIMEOUT_MS', defaultMs: 5_000, minMs: 1, maxMs: MAX_DURATION_MS },
  /** The whole cleanup phase, shared by every cleanup hook (the framework's own included). */
  cleanupTimeoutMs: {
    variable: 'LAMEDUCK_CLEANUP_TIMEOUT_MS',
    defaultMs: 5_000,
    minMs: 0,
    maxMs: MAX_DURATION_MS,
  },
  /** Each health check's time box: a probe waits for it, so five minutes at most. */
  checkTimeoutMs: { variable: 'LAMEDUCK_CHECK_TIMEOUT_MS', defaultMs: 500, minMs: 1, maxMs: 300_000 },
  /** How long a recently active idle keep-alive socket may send one last request once the listeners close. */
  idleGraceMs: { variable: 'LAMEDUCK_IDLE_GRACE_MS', defaultMs: 1_000, minMs: 0, maxMs: MAX_DURATION_MS },
  /** After the drain delay: how long no new non-probe request must come before idle connections close. */
  quietWindowMs: { variable: 'LAMEDUCK_QUIET_WINDOW_MS', defaultMs: 1_000, minMs: 0, maxMs: MAX_DURATION_MS },
  /**
   * How long an idle HTTP/1 keep-alive connection stays open: above the proxies' upstream idle
   * timeouts. 0 (never) or 1000 and up: `keepAliveTimeoutOption` refuses 1..999.
   */
  keepAliveTimeoutMs: {
    variable: 'LAMEDUCK_KEEP_ALIVE_TIMEOUT_MS',
    defaultMs: DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
    minMs: 0,
    maxMs: MAX_KEEP_ALIVE_TIMEOUT_MS,
  },
  /**
   * The window over which open WebSockets get their close code 1001 once the listeners close.
   * Default: a quarter of the drain timeout (this figure at the default drain timeout); at most half of it.
   */
  webSocketCloseSpreadMs: {
    variable: 'LAMEDUCK_WEBSOCKET_CLOSE_SPREAD_MS',
    defaultMs: 5_000,
    minMs: 0,
    maxMs: MAX_DURATION_MS,
  },
} as const satisfies Record<string, EnvironmentRow>;

export type EnvironmentOption = keyof typeof ENVIRONMENT;

/** Set by Kubernetes in every container; its presence switches the drain delay's default. */
export const KUBERNETES_VARIABLE = 'KUBERNETES_SERVICE_HOST';

/** The pod's `terminationGracePeriodSeconds`, copied into the environment by the manifest. */
export const GRACE_PERIOD_VARIABLE = 'TERMINATION_GRACE_PERIOD_SECONDS';

/** The range of GRACE_PERIOD_VARIABLE, in seconds: at most one day, as `gracePeriodMs` in code. */
export const GRACE_PERIOD_RANGE = { minSeconds: 0, maxSeconds: MAX_DURATION_MS / 1000 } as const;

/**
 * The unprefixed names lameduck 0.1 read through `optionsFromEnv()`. They are no longer read (an
 * app may use them for itself); lameduck warns when one is set without its `LAMEDUCK_` spelling.
 */
export const LEGACY_VARIABLES: Readonly<Partial<Record<EnvironmentOption, string>>> = {
  drainDelayMs: 'DRAIN_DELAY_MS',
  drainTimeoutMs: 'DRAIN_TIMEOUT_MS',
  hookTimeoutMs: 'HOOK_TIMEOUT_MS',
  checkTimeoutMs: 'CHECK_TIMEOUT_MS',
};

/** The drain delay lameduck uses when neither the environment nor the code sets one. */
export function defaultDrainDelayMs(env: Readonly<Record<string, string | undefined>>): number {
  return env[KUBERNETES_VARIABLE]
    ? ENVIRONMENT.drainDelayMs.kubernetesDefaultMs
    : ENVIRONMENT.drainDelayMs.defaultMs;
}

/** What an environment sets, by option: only the variables that are set and not empty. */
export type EnvironmentSettings = { [K in EnvironmentOption]?: number };
