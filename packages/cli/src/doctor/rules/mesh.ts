import { ENV } from '../../kubernetes/defaults.js';
import { drainDelay, drainTimeout, preStopPause } from '../../kubernetes/shutdown.js';
import { isLameduck } from '../cluster.js';
import { LINKERD_WAIT_BEFORE_EXIT, meshOf } from '../mesh.js';
import { containerLabel, eachServedContainer, type Rule, seconds } from '../rule.js';
import { GENERIC_SHUTDOWN_MS } from '../thresholds.js';

// A mesh proxy injected as an ordinary container gets SIGTERM with the app, and every request
// reaches the app through it. Istio's pilot-agent stops Envoy terminationDrainDuration (5 s by
// default) after SIGTERM; Linkerd's proxy stops taking new requests at once unless
// proxy-wait-before-exit-seconds delays it (https://linkerd.io/2/tasks/graceful-shutdown/). Either
// way the app's pause and drain go on behind a proxy that has left.
export const meshProxyExitsEarly: Rule = {
  id: 'mesh-proxy-exits-early',
  summary: `an Istio or Linkerd proxy stops before the app has finished (terminationDrainDuration, default 5 s; ${LINKERD_WAIT_BEFORE_EXIT}, default 0) — shorter than preStop + ${ENV.drainDelay} + ${ENV.drainTimeout} for lameduck apps, preStop + 5 s for others`,
  severity: 'warning',
  scope: 'containers a Service targets, in pods a mesh proxy is injected into',
  check(cluster) {
    return eachServedContainer(cluster, (container, workload) => {
      const mesh = meshOf(cluster, workload);
      if (mesh?.drainMs === undefined) return undefined;
      const pause = preStopPause(container);
      const preStopMs = pause && pause.how !== 'other' ? (pause.seconds ?? 0) * 1000 : 0;
      const lameduck = isLameduck(container, workload);
      const delay = drainDelay(container);
      const timeout = drainTimeout(container);
      const neededMs = lameduck ? preStopMs + delay.ms + timeout.ms : preStopMs + GENERIC_SHUTDOWN_MS;
      if (mesh.drainMs >= neededMs) return undefined;
      const parts = lameduck
        ? `preStop ${seconds(preStopMs)} + ${ENV.drainDelay} ${delay.ms} + ${ENV.drainTimeout} ${timeout.ms}`
        : `preStop ${seconds(preStopMs)} + ${GENERIC_SHUTDOWN_MS / 1000} s to finish in-flight requests`;
      const needed = Math.ceil(neededMs / 1000);
      return {
        subject: workload.object,
        message: `the ${mesh.mesh === 'istio' ? 'Istio proxy exits' : 'Linkerd proxy stops taking new requests'} ${seconds(mesh.drainMs)} after SIGTERM (${mesh.source}), but ${containerLabel(container)} may still be answering for ${parts} = ${seconds(neededMs)}: requests through the proxy fail once it has gone`,
        fix:
          mesh.mesh === 'istio'
            ? `set the pod annotation proxy.istio.io/config: "terminationDrainDuration: ${needed}s" (and a grace period above it), or run the proxy as a native sidecar`
            : `set the pod annotation ${LINKERD_WAIT_BEFORE_EXIT}: "${needed}" (and a grace period above it), or run the proxy as a native sidecar (config.beta.linkerd.io/proxy-enable-native-sidecar: "true")`,
      };
    });
  },
};
