// Which service mesh, if any, puts its proxy beside a workload's containers, and its drain
// settings, read from the pod template and the Namespace (when the files given have it).
import { parse } from 'yaml';
import { durationMs } from '../kubernetes/durations.js';
import { fields, labels, text } from '../kubernetes/values.js';
import type { Workload } from '../kubernetes/workload.js';
import type { Cluster } from './cluster.js';
import { annotationsOf, namespaceOf } from './fronts.js';

export const ISTIO_PROXY_CONFIG = 'proxy.istio.io/config';
export const LINKERD_WAIT_BEFORE_EXIT = 'config.alpha.linkerd.io/proxy-wait-before-exit-seconds';
/** Istio's default terminationDrainDuration (ProxyConfig). */
export const ISTIO_DEFAULT_DRAIN_MS = 5_000;
/** Envoy's upstream idle timeout in Istio when no DestinationRule sets one: one hour. */
export const ISTIO_DEFAULT_IDLE_TIMEOUT_MS = 3_600_000;

export interface Mesh {
  mesh: 'istio' | 'linkerd';
  /** How long the proxy keeps serving after SIGTERM, in ms; undefined when it waits for the app. */
  drainMs: number | undefined;
  /** Where the number comes from, for messages. */
  source: string;
}

function podMeta(workload: Workload): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  const template =
    workload.kind === 'Pod'
      ? workload.object.body
      : workload.kind === 'CronJob'
        ? fields(fields(fields(fields(workload.object.body.spec)?.jobTemplate)?.spec)?.template)
        : fields(fields(workload.object.body.spec)?.template);
  return { labels: labels(fields(template?.metadata)?.labels), annotations: workload.podAnnotations };
}

function istioInjected(cluster: Cluster, workload: Workload): boolean {
  const pod = podMeta(workload);
  const podSays = pod.labels['sidecar.istio.io/inject'] ?? pod.annotations['sidecar.istio.io/inject'];
  if (podSays !== undefined) return podSays === 'true';
  if (pod.annotations[ISTIO_PROXY_CONFIG] !== undefined) return true;
  const namespace = namespaceOf(cluster, workload);
  const namespaceLabels = labels(fields(namespace?.body.metadata)?.labels);
  return namespaceLabels['istio-injection'] === 'enabled' || namespaceLabels['istio.io/rev'] !== undefined;
}

function linkerdInjected(cluster: Cluster, workload: Workload): boolean {
  const podSays = workload.podAnnotations['linkerd.io/inject'];
  if (podSays !== undefined) return podSays === 'enabled' || podSays === 'ingress';
  const namespace = namespaceOf(cluster, workload);
  return namespace !== undefined && annotationsOf(namespace)['linkerd.io/inject'] === 'enabled';
}

/** The pod's mesh proxy and how long it serves after SIGTERM, or undefined without a mesh. */
export function meshOf(cluster: Cluster, workload: Workload): Mesh | undefined {
  const annotations = workload.podAnnotations;
  if (istioInjected(cluster, workload)) {
    const written = annotations[ISTIO_PROXY_CONFIG];
    let config: Record<string, unknown> | undefined;
    try {
      config = written === undefined ? undefined : fields(parse(written));
    } catch {
      config = undefined;
    }
    const metadata = labels(config?.proxyMetadata);
    // pilot-agent then waits for the last connection instead of a fixed time (Istio 1.12+).
    if (metadata.EXIT_ON_ZERO_ACTIVE_CONNECTIONS === 'true')
      return { mesh: 'istio', drainMs: undefined, source: 'EXIT_ON_ZERO_ACTIVE_CONNECTIONS' };
    const drain = config?.terminationDrainDuration;
    const drainMs = durationMs(drain);
    return drainMs === undefined
      ? {
          mesh: 'istio',
          drainMs: ISTIO_DEFAULT_DRAIN_MS,
          source: "Istio's terminationDrainDuration (default 5s)",
        }
      : {
          mesh: 'istio',
          drainMs,
          source: `Istio's terminationDrainDuration ${text(drain) ?? String(drain)}`,
        };
  }
  if (linkerdInjected(cluster, workload)) {
    // As a native sidecar the proxy is stopped only after the app has exited.
    const native =
      annotations['config.beta.linkerd.io/proxy-enable-native-sidecar'] ??
      annotations['config.alpha.linkerd.io/proxy-enable-native-sidecar'];
    if (native === 'true') return { mesh: 'linkerd', drainMs: undefined, source: 'native sidecar' };
    const wait = annotations[LINKERD_WAIT_BEFORE_EXIT];
    const waitMs = durationMs(wait);
    return waitMs === undefined
      ? { mesh: 'linkerd', drainMs: 0, source: `Linkerd's ${LINKERD_WAIT_BEFORE_EXIT} unset, 0` }
      : { mesh: 'linkerd', drainMs: waitMs, source: `Linkerd's ${LINKERD_WAIT_BEFORE_EXIT} ${wait}` };
  }
  return undefined;
}
