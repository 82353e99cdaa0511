import { ENV } from '../../kubernetes/defaults.js';
import { drainDelay, preStopPause, showSetting, sleepsZero } from '../../kubernetes/shutdown.js';
import { looksDistroless } from '../../kubernetes/workload.js';
import { isLameduck } from '../cluster.js';
import {
  containerLabel,
  eachLongRunningContainer,
  eachServedContainer,
  type Rule,
  seconds,
} from '../rule.js';

// Endpoint removal reaches kube-proxy and load balancers 1–5 s after SIGTERM. Something must keep
// the listener open for that long — one thing, not two stacked by accident.
export const noShutdownPause: Rule = {
  id: 'no-shutdown-pause',
  summary: `no pause before the listener closes (neither lifecycle.preStop nor ${ENV.drainDelay} > 0)`,
  severity: 'warning',
  scope: 'containers a Service targets',
  check(cluster) {
    return eachServedContainer(cluster, (container, workload) => {
      // A preStop that sleeps 0 s is no pause: it is read as if it were absent.
      const zero = sleepsZero(preStopPause(container));
      if (container.preStop && !zero) return undefined;
      const none = zero ? 'has a lifecycle.preStop that sleeps 0 s' : 'has no lifecycle.preStop';
      if (!isLameduck(container, workload)) {
        return {
          subject: workload.object,
          message: `${containerLabel(container)} ${none}: unless the app keeps accepting for a few seconds after SIGTERM, it refuses connections while endpoints still send it traffic for 1–5 s`,
          fix: 'add lifecycle.preStop.sleep.seconds: 5 (Kubernetes 1.30+), or make the app wait about 5 s after SIGTERM before it closes its listener',
        };
      }
      const delay = drainDelay(container);
      if (delay.ms > 0 || delay.unreadable) return undefined;
      return {
        subject: workload.object,
        message: `${containerLabel(container)} ${none} and ${ENV.drainDelay} is ${delay.ms}: it stops accepting at SIGTERM while endpoints still send it traffic for 1–5 s (connections refused)`,
        fix: `add lifecycle.preStop.sleep.seconds: 5 with ${ENV.drainDelay}=0, or set ${ENV.drainDelay}=5000 (lameduck's in-app pause)`,
      };
    });
  },
};

export const preStopExecSleep: Rule = {
  id: 'prestop-exec-sleep',
  summary:
    'preStop runs `sleep` through exec, which distroless images do not have (warning where the image looks distroless)',
  severity: 'info',
  scope: 'every long-running container',
  check(cluster) {
    return eachLongRunningContainer(cluster, (container, workload) => {
      const pause = preStopPause(container);
      if (pause?.how !== 'exec-sleep') return undefined;
      const length = pause.seconds ?? 5;
      const distroless = looksDistroless(container);
      const lameduck = isLameduck(container, workload);
      return {
        subject: workload.object,
        severity: distroless ? 'warning' : 'info',
        message: `${containerLabel(container)} preStop runs exec ${JSON.stringify(pause.command)}: ${distroless ? 'the image looks distroless, and distroless images have' : 'a distroless image has'} no sleep (or shell), so the hook fails at once and SIGTERM comes with no pause`,
        fix: `use lifecycle.preStop.sleep.seconds: ${length} (native since Kubernetes 1.30 beta, GA 1.34)${lameduck ? `; on older clusters drop the preStop and set ${ENV.drainDelay}=${length * 1000}` : ''}`,
      };
    });
  },
};

export const pauseStacked: Rule = {
  id: 'pause-stacked',
  summary: `a preStop sleep and ${ENV.drainDelay} > 0 (unset is 5000 in a pod) stacked: the pod pauses twice`,
  severity: 'warning',
  scope: 'lameduck containers',
  check(cluster) {
    return eachLongRunningContainer(cluster, (container, workload) => {
      if (!isLameduck(container, workload)) return undefined;
      const pause = preStopPause(container);
      const delay = drainDelay(container);
      if (
        (pause?.how !== 'sleep' && pause?.how !== 'exec-sleep') ||
        sleepsZero(pause) ||
        delay.ms <= 0 ||
        delay.unreadable
      )
        return undefined;
      const sleepMs = (pause.seconds ?? 0) * 1000;
      return {
        subject: workload.object,
        message: `${containerLabel(container)} sleeps ${seconds(sleepMs)} in preStop and then ${showSetting(delay)} pauses another ${seconds(delay.ms)} after SIGTERM: ${seconds(sleepMs + delay.ms)} of pause where one is enough, taken from the grace period`,
        fix: `set ${ENV.drainDelay}=0 and keep the preStop sleep, or remove the preStop and keep ${ENV.drainDelay}`,
      };
    });
  },
};
