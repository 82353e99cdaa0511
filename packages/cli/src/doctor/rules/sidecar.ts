import { KUBERNETES_DEFAULTS } from '../../kubernetes/defaults.js';
import { isLameduck } from '../cluster.js';
import { containerLabel, longRunning, type Report, type Rule, seconds } from '../rule.js';
import { containerShutdownMs, preStopMs } from './grace-period.js';

// Native sidecars (initContainers with restartPolicy: Always) are stopped only after every app
// container has exited, one after the other in reverse order, and all of it within the pod's one
// grace period (https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/). A grace
// period that fits the app alone leaves the sidecars none: SIGKILL ends their own shutdown.
export const sidecarGracePeriod: Rule = {
  id: 'sidecar-grace-period',
  summary:
    'terminationGracePeriodSeconds fits the app containers but not the native sidecars stopped after them (their preStop pauses, a lameduck sidecar its budget)',
  severity: 'warning',
  scope: 'long-running workloads with initContainers of restartPolicy: Always',
  check(cluster) {
    return longRunning(cluster).flatMap((workload): Report[] => {
      if (workload.sidecars.length === 0 || workload.containers.length === 0) return [];
      const graceSeconds =
        workload.terminationGracePeriodSeconds ?? KUBERNETES_DEFAULTS.terminationGracePeriodSeconds;
      const appMs = Math.max(
        ...workload.containers.map((container) => containerShutdownMs(cluster, container, workload)),
      );
      // Past the app's need, grace-period-too-short has already said so.
      if (graceSeconds * 1000 < appMs) return [];
      const parts = workload.sidecars
        .map((sidecar) => ({
          sidecar,
          ms: isLameduck(sidecar, workload)
            ? containerShutdownMs(cluster, sidecar, workload)
            : preStopMs(sidecar),
        }))
        .filter(({ ms }) => ms > 0);
      const sidecarsMs = parts.reduce((sum, { ms }) => sum + ms, 0);
      if (graceSeconds * 1000 >= appMs + sidecarsMs) return [];
      const grace = `terminationGracePeriodSeconds ${graceSeconds}${workload.terminationGracePeriodSeconds === undefined ? ' (default)' : ''}`;
      const listed = parts
        .map(({ sidecar, ms }) => `native sidecar ${containerLabel(sidecar)} ${seconds(ms)}`)
        .join(' + ');
      return [
        {
          subject: workload.object,
          message: `${grace} covers the app containers (${seconds(appMs)}) but not the native sidecars stopped after them: ${seconds(appMs)} + ${listed} = ${seconds(appMs + sidecarsMs)}; SIGKILL ends the sidecars' shutdown`,
          fix: `set terminationGracePeriodSeconds: ${Math.ceil((appMs + sidecarsMs) / 1000)} or more, or shorten the sidecars' preStop pauses`,
        },
      ];
    });
  },
};
