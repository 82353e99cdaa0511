import { ENV, KUBERNETES_DEFAULTS } from '../../kubernetes/defaults.js';
import {
  drainDelay,
  drainTimeout,
  hookTimeout,
  preStopPause,
  showSetting,
} from '../../kubernetes/shutdown.js';
import { isLameduck, servedContainers } from '../cluster.js';
import { containerLabel, eachContainer, type Rule, seconds } from '../rule.js';
import { GENERIC_SHUTDOWN_MS, GRACE_MARGIN_MS } from '../thresholds.js';

// The grace timer starts before preStop runs; at its end comes SIGKILL, drained or not.
export const gracePeriodTooShort: Rule = {
  id: 'grace-period-too-short',
  summary: `terminationGracePeriodSeconds (default ${KUBERNETES_DEFAULTS.terminationGracePeriodSeconds}) < preStop + drain delay + drain timeout + hooks + ${GRACE_MARGIN_MS / 1000} s for lameduck apps; < preStop + ${GENERIC_SHUTDOWN_MS / 1000} s for others (warning)`,
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
        if (!servedContainers(cluster, workload).has(container)) return undefined;
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
      const parts = [drainDelay(container), drainTimeout(container), hookTimeout(container)];
      const neededMs = preStopMs + parts.reduce((sum, part) => sum + part.ms, 0) + GRACE_MARGIN_MS;
      if (graceSeconds * 1000 >= neededMs) return undefined;
      const neededSeconds = Math.ceil(neededMs / 1000);
      return {
        subject: workload.object,
        message: `${grace} is shorter than what ${containerLabel(container)} needs: preStop ${seconds(preStopMs)} + ${parts.map(showSetting).join(' + ')} + margin ${seconds(GRACE_MARGIN_MS)} = ${seconds(neededMs)}; SIGKILL ends the drain early`,
        fix: `set terminationGracePeriodSeconds: ${neededSeconds} or more, or lower ${ENV.drainTimeout}`,
      };
    });
  },
};
