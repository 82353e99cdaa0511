/**
 * Metric, span and attribute names, in OpenTelemetry's semantic-convention style: a `lameduck.`
 * namespace, dots between words, units in `unit` (seconds for durations), not in the name.
 */
export const METRICS = {
  /** Gauge: 1 for the state each lifecycle is in, 0 for the others (`lameduck.lifecycle.state`). */
  lifecycleState: 'lameduck.lifecycle.state',
  /** Gauge: 1 for each check's last fresh status, 0 for the others (`lameduck.check.name`, `lameduck.check.status`). */
  checkStatus: 'lameduck.check.status',
  /** Histogram, seconds: each fresh check call (`lameduck.check.name`, `lameduck.check.status`). */
  checkDuration: 'lameduck.check.duration',
  /** UpDownCounter: requests in flight on attached servers. */
  requestsInFlight: 'lameduck.requests.in_flight',
  /** UpDownCounter: open connections on attached servers. */
  connectionsOpen: 'lameduck.connections.open',
  /** UpDownCounter: work held with `track()` (jobs, uploads, webhooks) and not settled yet. */
  workInFlight: 'lameduck.work.in_flight',
  /** Histogram, seconds: each shutdown phase (`lameduck.shutdown.phase`: drain_delay, drain, cleanup). */
  shutdownPhaseDuration: 'lameduck.shutdown.phase.duration',
  /** Histogram, seconds: each shutdown, from the signal to the end of the cleanup hooks. */
  shutdownDuration: 'lameduck.shutdown.duration',
  /** Counter: shutdowns by `lameduck.shutdown.outcome`: clean, forced, failed_hooks, untracked_servers. */
  shutdownOutcome: 'lameduck.shutdown.outcome',
} as const;

export const ATTRIBUTES = {
  state: 'lameduck.lifecycle.state',
  checkName: 'lameduck.check.name',
  checkStatus: 'lameduck.check.status',
  phase: 'lameduck.shutdown.phase',
  outcome: 'lameduck.shutdown.outcome',
  reason: 'lameduck.shutdown.reason',
  signal: 'lameduck.shutdown.signal',
  forced: 'lameduck.shutdown.forced',
  exitCode: 'lameduck.shutdown.exit_code',
  inFlightAtStart: 'lameduck.shutdown.requests.in_flight',
  connectionsAtStart: 'lameduck.shutdown.connections.open',
  destroyedConnections: 'lameduck.shutdown.connections.destroyed',
  abandonedRequests: 'lameduck.shutdown.requests.abandoned',
  failedHooks: 'lameduck.shutdown.hooks.failed',
  hookName: 'lameduck.hook.name',
  hookPhase: 'lameduck.hook.phase',
  hookOk: 'lameduck.hook.ok',
  hookTimedOut: 'lameduck.hook.timed_out',
  hookDuration: 'lameduck.hook.duration',
  hookError: 'lameduck.hook.error',
} as const;

/** The root span of a shutdown, and its three phases as child spans. */
export const SPANS = {
  shutdown: 'lameduck.shutdown',
  drainDelay: 'lameduck.shutdown.drain_delay',
  drain: 'lameduck.shutdown.drain',
  cleanup: 'lameduck.shutdown.cleanup',
} as const;

export type ShutdownOutcome = 'clean' | 'forced' | 'failed_hooks' | 'untracked_servers';
