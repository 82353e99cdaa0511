import { FIXED_WAITS_MS, GRACE_PERIOD_VARIABLE, HEADROOM_MS, shutdownBudget } from '@lameduck/core';
import { ENV, KUBERNETES_DEFAULTS } from '../../kubernetes/defaults.js';
import { containerEnvironment, envGracePeriodSeconds } from '../../kubernetes/env.js';
import {
  cleanupTimeout,
  drainDelay,
  drainTimeout,
  preStopPause,
  showSetting,
} from '../../kubernetes/shutdown.js';
import type { Container, Workload } from '../../kubernetes/workload.js';
import { type Cluster, isLameduck } from '../cluster.js';

/** The preStop's known pause; an httpGet preStop or a custom script takes an unknown time: 0. */
export function preStopMs(container: Container): number {
  const pause = preStopPause(container);
  return pause && pause.how !== 'other' ? (pause.seconds ?? 0) * 1000 : 0;
}

/**
 * How long a container may take from the start of the pod's termination to its exit: preStop
 * plus lameduck's budget for a lameduck app, preStop plus 5 s for another container a Service
 * targets, its preStop alone otherwise.
 */
export function containerShutdownMs(cluster: Cluster, container: Container, workload: Workload): number {
  if (isLameduck(container, workload)) {
    const budget = shutdownBudget({
      drainDelayMs: drainDelay(container).ms,
      drainTimeoutMs: drainTimeout(container).ms,
      cleanupTimeoutMs: cleanupTimeout(container).ms,
    });
    return preStopMs(container) + budget.neededMs;
  }
  const served = cluster.index.servedContainers(workload).has(container);
  return preStopMs(container) + (served ? GENERIC_SHUTDOWN_MS : 0);
}

import { containerLabel, eachContainer, type Rule, seconds } from '../rule.js';
import { GENERIC_SHUTDOWN_MS } from '../thresholds.js';

// The grace timer starts before preStop runs; at its end comes SIGKILL, drained or not. The
// lameduck budget is core's shutdownBudget(), the same function the app checks itself with at startup.
export const gracePeriodTooShort: Rule = {
  id: 'grace-period-too-short',
  summary: `terminationGracePeriodSeconds (default ${KUBERNETES_DEFAULTS.terminationGracePeriodSeconds}) < preStop + drain delay + drain timeout + lameduck's own waits ${FIXED_WAITS_MS} ms + cleanup budget + headroom ${HEADROOM_MS} ms for lameduck apps (and ${GRACE_PERIOD_VARIABLE}, when set, must leave the same); < preStop + ${GENERIC_SHUTDOWN_MS / 1000} s for others (warning)`,
  severity: 'error',
  scope: 'lameduck containers (their budget); other containers a Service targets (preStop + 5 s)',
  check(cluster) {
    return eachContainer(cluster, (container, workload) => {
      const graceSeconds =
        workload.terminationGracePeriodSeconds ?? KUBERNETES_DEFAULTS.terminationGracePeriodSeconds;
      const grace = `terminationGracePeriodSeconds ${graceSeconds}${workload.terminationGracePeriodSeconds === undefined ? ' (default)' : ''}`;
      const pause = preStopPause(container);
      // An httpGet preStop or a custom script takes an unknown time: counted as 0.
      const preStopMs = pause && pause.how !== 'other' ? (pause.seconds ?? 0) * 1000 : 0;
      if (!isLameduck(container, workload)) {
        // Without lameduck's budget, the question is only whether served requests can finish.
        if (!cluster.index.servedContainers(workload).has(container)) return undefined;
        const neededMs = preStopMs + GENERIC_SHUTDOWN_MS;
        if (graceSeconds * 1000 >= neededMs) return undefined;
        const leftMs = Math.max(0, graceSeconds * 1000 - preStopMs);
        return {
          subject: workload.object,
          severity: 'warning',
          message: `${grace} leaves ${containerLabel(container)} ${seconds(leftMs)} after its preStop ${seconds(preStopMs)} to finish in-flight requests before SIGKILL`,
          fix: `set terminationGracePeriodSeconds to the preStop pause plus the app's own shutdown time: ${Math.ceil(neededMs / 1000)} or more`,
        };
      }
      const delay = drainDelay(container);
      const timeout = drainTimeout(container);
      const cleanup = cleanupTimeout(container);
      const budget = shutdownBudget({
        drainDelayMs: delay.ms,
        drainTimeoutMs: timeout.ms,
        cleanupTimeoutMs: cleanup.ms,
      });
      const neededMs = preStopMs + budget.neededMs;
      const parts = `preStop ${seconds(preStopMs)} + ${showSetting(delay)} + ${showSetting(timeout)} + lameduck's own waits ${FIXED_WAITS_MS} + ${showSetting(cleanup)} + headroom ${HEADROOM_MS} = ${neededMs} ms`;
      const told = envGracePeriodSeconds(container);
      if (graceSeconds * 1000 < neededMs) {
        return {
          subject: workload.object,
          message: `${grace} is shorter than what ${containerLabel(container)} needs: ${parts}; SIGKILL ends the drain early`,
          fix: `set terminationGracePeriodSeconds: ${Math.ceil(neededMs / 1000)} or more, or lower ${ENV.drainTimeout} or ${ENV.cleanupTimeout}`,
        };
      }
      // The app checks its budget against the grace period it is told, counted from SIGTERM. When it
      // refuses to start over it (LAMEDUCK_BUDGET=refuse), env-value-refused says so with its message.
      const refuses = containerEnvironment(container).budgetRefusal !== undefined;
      if (told !== undefined && told * 1000 < budget.neededMs && !refuses) {
        return {
          subject: workload.object,
          message: `${GRACE_PERIOD_VARIABLE} ${told} tells ${containerLabel(container)} it has less than its shutdown needs from SIGTERM (${parts.replace(/^preStop \S+ s \+ /, '').replace(/ = \d+ ms$/, ` = ${budget.neededMs} ms`)}); at startup lameduck cuts its drain to fit, or refuses to start with LAMEDUCK_BUDGET=refuse`,
          fix: `set ${GRACE_PERIOD_VARIABLE} to terminationGracePeriodSeconds minus the preStop sleep (${Math.floor((graceSeconds * 1000 - preStopMs) / 1000)}), or lower ${ENV.drainTimeout}`,
        };
      }
      return undefined;
    });
  },
};
