import { DEFAULT_KEEP_ALIVE_TIMEOUT_MS, KEEP_ALIVE_TIMEOUT_VARIABLE } from '../../kubernetes/defaults.js';
import { durationMs } from '../../kubernetes/durations.js';
import { envMs } from '../../kubernetes/env.js';
import type { KubeObject } from '../../kubernetes/manifest.js';
import { fields, labels, text } from '../../kubernetes/values.js';
import type { Workload } from '../../kubernetes/workload.js';
import { type Cluster, isLameduck } from '../cluster.js';
import { frontLabel, frontsOf } from '../fronts.js';
import { ISTIO_DEFAULT_IDLE_TIMEOUT_MS, meshOf } from '../mesh.js';
import { containerLabel, eachServedContainer, type Rule, seconds } from '../rule.js';

/** ingress-nginx's `upstream-keepalive-timeout` when its ConfigMap does not set it. */
const NGINX_DEFAULT_KEEPALIVE_MS = 60_000;

interface ProxyIdle {
  ms: number;
  source: string;
  /** What to lower on the proxy's side. */
  lower: string;
}

/** ingress-nginx's ConfigMap in the files given: the one that sets an upstream-keepalive key. */
function nginxConfig(cluster: Cluster): KubeObject | undefined {
  return cluster.index
    .objectsOfKind('ConfigMap')
    .find((map) => Object.keys(labels(map.body.data)).some((key) => key.startsWith('upstream-keepalive-')));
}

function nginxIdle(cluster: Cluster, workload: Workload): ProxyIdle | undefined {
  const fronts = frontsOf(cluster, workload).filter((front) => front.kind === 'ingress-nginx');
  if (fronts.length === 0) return undefined;
  const config = nginxConfig(cluster);
  const data = labels(config?.body.data);
  if (data['upstream-keepalive-connections']?.trim() === '0') return undefined;
  const via = [...new Set(fronts.map(frontLabel))].join(', ');
  const written = data['upstream-keepalive-timeout'];
  const ms = durationMs(written);
  return ms === undefined || config === undefined
    ? {
        ms: NGINX_DEFAULT_KEEPALIVE_MS,
        source: `ingress-nginx (${via}) keeps idle upstream connections 60 s (its default upstream-keepalive-timeout)`,
        lower: "ingress-nginx's ConfigMap key upstream-keepalive-timeout",
      }
    : {
        ms,
        source: `ingress-nginx (${via}) keeps idle upstream connections ${seconds(ms)} (ConfigMap/${config.name} upstream-keepalive-timeout ${written})`,
        lower: `upstream-keepalive-timeout in ConfigMap/${config.name}`,
      };
}

/** The DestinationRule for the Service's host, as Istio matches `web`, `web.ns` or the full name. */
function istioIdle(cluster: Cluster, workload: Workload): ProxyIdle | undefined {
  const services = cluster.index.servicesSelecting(workload);
  const hosts = new Set(
    services.flatMap((service) => {
      const namespace = service.namespace ?? 'default';
      return [
        service.name,
        `${service.name}.${namespace}`,
        `${service.name}.${namespace}.svc`,
        `${service.name}.${namespace}.svc.cluster.local`,
      ];
    }),
  );
  const rule = cluster.index
    .objectsOfKind('DestinationRule')
    .find((object) => hosts.has(text(fields(object.body.spec)?.host) ?? ''));
  const injected = meshOf(cluster, workload)?.mesh === 'istio';
  if (!rule && !injected) return undefined;
  const http = fields(fields(fields(fields(rule?.body.spec)?.trafficPolicy)?.connectionPool)?.http);
  const written = http?.idleTimeout;
  const ms = durationMs(written);
  const lower = `trafficPolicy.connectionPool.http.idleTimeout in ${rule ? `DestinationRule/${rule.name}` : "a DestinationRule for the Service's host"} (or the Sidecar's inboundConnectionPool)`;
  if (rule && ms !== undefined)
    return {
      ms,
      source: `Envoy keeps idle upstream connections ${seconds(ms)} (DestinationRule/${rule.name} connectionPool.http.idleTimeout ${String(written)})`,
      lower,
    };
  return {
    lower,
    ms: ISTIO_DEFAULT_IDLE_TIMEOUT_MS,
    source: `Envoy keeps idle upstream connections 1 h (Istio's default; ${rule ? `DestinationRule/${rule.name} sets no` : 'no DestinationRule sets'} connectionPool.http.idleTimeout)`,
  };
}

// The side that closes an idle keep-alive connection races the other side's next request on it:
// when the app closes first, the proxy may already be writing a request to a socket that is
// going away, and answers 502/503 (POST is not retried). The app's timeout must outlast the
// proxy's, so that the proxy is always the one to close.
export const upstreamKeepAliveTimeout: Rule = {
  id: 'upstream-keepalive-timeout',
  summary: `a proxy in front (ingress-nginx's upstream-keepalive-timeout, default 60 s; Istio/Envoy's idleTimeout, default 1 h) keeps idle connections at least as long as the app (${KEEP_ALIVE_TIMEOUT_VARIABLE}, default ${DEFAULT_KEEP_ALIVE_TIMEOUT_MS})`,
  severity: 'warning',
  scope: 'lameduck containers a Service targets, behind ingress-nginx or in an Istio mesh',
  check(cluster) {
    return eachServedContainer(cluster, (container, workload) => {
      if (!isLameduck(container, workload)) return undefined;
      if (
        container.envNames.has(KEEP_ALIVE_TIMEOUT_VARIABLE) &&
        !container.env.has(KEEP_ALIVE_TIMEOUT_VARIABLE)
      )
        return undefined;
      // Read as the app reads it; a value it refuses is env-value-refused's, and the default stands in.
      const read = envMs(container, KEEP_ALIVE_TIMEOUT_VARIABLE);
      const written = read.state === 'set' ? read.ms : undefined;
      const appMs = written ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
      // 0: the app never closes an idle connection, so the proxy always does.
      if (appMs === 0) return undefined;
      const app = `${KEEP_ALIVE_TIMEOUT_VARIABLE} ${appMs}${written === undefined ? ' (default)' : ''}`;
      const proxies = [nginxIdle(cluster, workload), istioIdle(cluster, workload)].filter(
        (idle): idle is ProxyIdle => idle !== undefined && idle.ms >= appMs,
      );
      const [longest] = proxies.sort((a, b) => b.ms - a.ms);
      if (!longest) return undefined;
      return {
        subject: workload.object,
        message: `${longest.source}, at least as long as ${containerLabel(container)} keeps them (${app}): the app closes idle connections first, and a request the proxy sends on one as it closes fails with 502/503`,
        fix:
          longest.ms <= 10 * 60_000
            ? `set ${KEEP_ALIVE_TIMEOUT_VARIABLE} above ${longest.ms} (for example ${longest.ms + 5_000}), or lower ${longest.lower} below ${seconds(appMs)}`
            : `lower ${longest.lower} below ${seconds(appMs)} (for example ${Math.floor((appMs - 5_000) / 1000)}s)`,
      };
    });
  },
};
