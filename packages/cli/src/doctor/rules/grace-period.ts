import { DEFAULT_GRACE_PERIOD_SECONDS, ENV, GRACE_MARGIN_MS } from '../defaults.js';
import { containerLabel, eachContainer, type Rule, seconds } from '../rule.js';
import { drainDelay, drainTimeout, hookTimeout, preStopPause, showSetting } from '../shutdown.js';

// The grace timer starts before preStop runs; at its end comes SIGKILL, drained or not.
export const gracePeriodTooShort: Rule = {
  id: 'grace-period-too-short',
  summary: `terminationGracePeriodSeconds (default 30) < preStop + drain delay + drain timeout + hooks + ${GRACE_MARGIN_MS / 1000} s`,
  check(cluster) {
    return eachContainer(cluster, (container, workload) => {
      const graceSeconds = workload.terminationGracePeriodSeconds ?? DEFAULT_GRACE_PERIOD_SECONDS;
      const pause = preStopPause(container);
      // An httpGet preStop or a custom script takes an unknown time: counted as 0.
      const preStopMs = pause && pause.how !== 'other' ? (pause.seconds ?? 0) * 1000 : 0;
      const parts = [drainDelay(container), drainTimeout(container), hookTimeout(container)];
      const neededMs = preStopMs + parts.reduce((sum, part) => sum + part.ms, 0) + GRACE_MARGIN_MS;
      if (graceSeconds * 1000 >= neededMs) return undefined;
      const neededSeconds = Math.ceil(neededMs / 1000);
      const grace = `terminationGracePeriodSeconds ${graceSeconds}${workload.terminationGracePeriodSeconds === undefined ? ' (default)' : ''}`;
      return {
        subject: workload.object,
        message: `${grace} is shorter than what ${containerLabel(container)} needs: preStop ${seconds(preStopMs)} + ${parts.map(showSetting).join(' + ')} + margin ${seconds(GRACE_MARGIN_MS)} = ${seconds(neededMs)}; SIGKILL ends the drain early`,
        fix: `set terminationGracePeriodSeconds: ${neededSeconds} or more, or lower ${ENV.drainTimeout}`,
      };
    });
  },
};
