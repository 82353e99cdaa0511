import type { CheckKind, CheckRegistry, CheckResult, CheckStatus } from './checks.js';
import type { LifecycleState, StateMachine } from './states.js';

export interface ProbeReport {
  readonly kind: CheckKind;
  readonly status: CheckStatus;
  readonly state: LifecycleState;
  /** Set when the lifecycle state alone fails the probe, e.g. "draining". */
  readonly stateFailure?: string;
  readonly checks: readonly CheckResult[];
  /** Names given to `exclude` that match no check of this kind. */
  readonly unknownExcludes: readonly string[];
}

export interface ProbeQuery {
  /** Check names to leave out. */
  exclude?: readonly string[];
  /**
   * Evaluate this one check alone (`/readyz/<name>`). The lifecycle state still counts, so a
   * readiness probe pointed at one check still fails from the moment draining starts.
   */
  only?: string;
}

/**
 * The status decisions, in one place (ARCHITECTURE.md, "A probe"):
 * - liveness fails only when a critical liveness check fails — never because the process is
 *   starting or draining, so Kubernetes never restarts a pod for leaving on purpose;
 * - readiness fails while starting, and at once (without running checks) once draining begins;
 *   when ready, it fails if a critical readiness check fails;
 * - startup fails while starting, or when a critical startup check fails.
 * A non-critical check that fails makes the probe `warn`, which still passes.
 */
export interface ProbePolicy {
  /** `'pass'` keeps readiness passing while draining (see `LameduckOptions.readinessWhileDraining`). */
  readonly readinessWhileDraining: 'fail' | 'pass';
}

const DEFAULT_POLICY: ProbePolicy = { readinessWhileDraining: 'fail' };

export async function evaluateProbe(
  kind: CheckKind,
  lifecycle: StateMachine,
  registry: CheckRegistry,
  query: ProbeQuery = {},
  policy: ProbePolicy = DEFAULT_POLICY,
): Promise<ProbeReport> {
  const exclude = new Set(typeof query.exclude === 'string' ? [query.exclude] : (query.exclude ?? []));
  const names = registry.names(kind);
  const unknownExcludes = [...exclude].filter((name) => !names.includes(name));
  const only = query.only;
  if (only !== undefined && !names.includes(only)) {
    return {
      kind,
      status: 'fail',
      state: lifecycle.state,
      stateFailure: `no ${kind} check named "${only}"`,
      checks: [],
      unknownExcludes: [],
    };
  }
  const included = only !== undefined ? [only] : names.filter((name) => !exclude.has(name));

  // Draining answers without touching dependencies: the answer is already known, and it must
  // be immediate so endpoints drop this pod as early as possible.
  const stateBefore = stateFailure(kind, lifecycle.state, policy);
  if (stateBefore !== undefined && kind === 'readiness' && lifecycle.state !== 'starting') {
    return {
      kind,
      status: 'fail',
      state: lifecycle.state,
      stateFailure: stateBefore,
      checks: [],
      unknownExcludes,
    };
  }

  const checks = await registry.run(kind, included);
  // Re-read the state: draining may have begun while the checks ran.
  const state = lifecycle.state;
  const failure = stateFailure(kind, state, policy);
  return {
    kind,
    status: failure === undefined ? combine(checks) : 'fail',
    state,
    ...(failure === undefined ? {} : { stateFailure: failure }),
    checks,
    unknownExcludes,
  };
}

function stateFailure(kind: CheckKind, state: LifecycleState, policy: ProbePolicy): string | undefined {
  if (kind === 'liveness') return undefined;
  if (state === 'starting') return 'starting: ready() has not been called yet';
  if (kind !== 'readiness') return undefined;
  if (state === 'closed') return 'closed: shutting down';
  if (state === 'draining' && policy.readinessWhileDraining === 'fail') return 'draining: shutting down';
  return undefined;
}

function combine(checks: readonly CheckResult[]): CheckStatus {
  if (checks.some((check) => check.status === 'fail')) return 'fail';
  if (checks.some((check) => check.status === 'warn')) return 'warn';
  return 'pass';
}
