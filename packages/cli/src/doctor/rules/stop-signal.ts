import { LAMEDUCK_SIGNALS } from '../../kubernetes/defaults.js';
import { isLameduck } from '../cluster.js';
import { containerLabel, eachLongRunningContainer, type Rule } from '../rule.js';

/** `SIGTERM`, `TERM` and `15` all name the same signal; the API takes the `SIG` form. */
function signalName(value: string): string {
  const upper = value.trim().toUpperCase();
  return upper.startsWith('SIG') ? upper : `SIG${upper}`;
}

// `lifecycle.stopSignal` (Kubernetes 1.33 alpha, ContainerStopSignals) replaces SIGTERM for the
// container. lameduck listens for SIGTERM and SIGINT only: another signal does Node's default
// instead — SIGQUIT and SIGHUP kill the process at once, SIGUSR1 starts the inspector and keeps
// serving until SIGKILL — and the drain never runs.
export const stopSignalNotHandled: Rule = {
  id: 'stop-signal-not-handled',
  summary: `lifecycle.stopSignal is not one lameduck shuts down on (${LAMEDUCK_SIGNALS.join(', ')}): no drain`,
  severity: 'warning',
  scope: 'lameduck containers',
  check(cluster) {
    return eachLongRunningContainer(cluster, (container, workload) => {
      if (container.stopSignal === undefined || !isLameduck(container, workload)) return undefined;
      const signal = signalName(container.stopSignal);
      if (LAMEDUCK_SIGNALS.includes(signal)) return undefined;
      return {
        subject: workload.object,
        message: `${containerLabel(container)} has lifecycle.stopSignal ${container.stopSignal}: the kubelet stops it with ${signal}, which lameduck does not listen for (it drains on ${LAMEDUCK_SIGNALS.join(' and ')}), so Node's default for ${signal} runs instead of the drain`,
        fix: `remove lifecycle.stopSignal (or set it to SIGTERM), or pass signals: ['${signal}'] to lameduck in the app`,
      };
    });
  },
};
