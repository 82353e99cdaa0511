import { ENV } from '../defaults.js';
import { containerLabel, eachContainer, type Rule, seconds } from '../rule.js';
import { drainDelay, preStopPause } from '../shutdown.js';

// DESIGN §1: endpoint removal reaches kube-proxy and load balancers 1–5 s after SIGTERM. Something
// must keep the listener open for that long — one thing, not two stacked by accident.

export const noShutdownPause: Rule = {
  id: 'no-shutdown-pause',
  summary: `no pause before the listener closes (neither lifecycle.preStop nor ${ENV.drainDelay} > 0)`,
  check(cluster) {
    return eachContainer(cluster, (container, workload) => {
      if (container.preStop || drainDelay(container).ms > 0) return undefined;
      const delay = drainDelay(container);
      return {
        subject: workload.object,
        message: `${containerLabel(container)} has no lifecycle.preStop and ${ENV.drainDelay} is ${delay.isDefault ? 'unset' : delay.ms}: it stops accepting at SIGTERM while endpoints still send it traffic for 1–5 s (connections refused)`,
        fix: `add lifecycle.preStop.sleep.seconds: 5 with ${ENV.drainDelay}=0, or set ${ENV.drainDelay}=5000 (lameduck's in-app pause)`,
      };
    });
  },
};

export const preStopExecSleep: Rule = {
  id: 'prestop-exec-sleep',
  summary: 'preStop runs `sleep` through exec, which distroless images do not have',
  check(cluster) {
    return eachContainer(cluster, (container, workload) => {
      const pause = preStopPause(container);
      if (pause?.how !== 'exec-sleep') return undefined;
      const length = pause.seconds ?? 5;
      return {
        subject: workload.object,
        message: `${containerLabel(container)} preStop runs exec ${JSON.stringify(pause.command)}: distroless images have no sleep (or shell), so the hook fails at once and SIGTERM comes with no pause`,
        fix: `use lifecycle.preStop.sleep.seconds: ${length} (native since Kubernetes 1.30 beta, GA 1.34); on older clusters drop the preStop and set ${ENV.drainDelay}=${length * 1000}`,
      };
    });
  },
};

export const pauseStacked: Rule = {
  id: 'pause-stacked',
  summary: `a preStop sleep and ${ENV.drainDelay} > 0 stacked: the pod pauses twice`,
  check(cluster) {
    return eachContainer(cluster, (container, workload) => {
      const pause = preStopPause(container);
      const delay = drainDelay(container);
      if ((pause?.how !== 'sleep' && pause?.how !== 'exec-sleep') || delay.ms <= 0) return undefined;
      const sleepMs = (pause.seconds ?? 0) * 1000;
      return {
        subject: workload.object,
        message: `${containerLabel(container)} sleeps ${seconds(sleepMs)} in preStop and then ${ENV.drainDelay}=${delay.ms} pauses another ${seconds(delay.ms)} after SIGTERM: ${seconds(sleepMs + delay.ms)} of pause where one is enough, taken from the grace period`,
        fix: `set ${ENV.drainDelay}=0 and keep the preStop sleep, or remove the preStop and keep ${ENV.drainDelay}`,
      };
    });
  },
};
