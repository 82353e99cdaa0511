import { setTimeout as sleep } from 'node:timers/promises';
import type { EvictionAnswer } from './eviction.js';

/** What `kubectl drain` talks to: the node's pods and the Eviction API. */
export interface DrainTarget {
  cordon(node: string): void;
  /** The pods on the node that a drain evicts (DaemonSet pods are ignored there; none here). */
  podsOn(node: string): string[];
  evict(pod: string): EvictionAnswer;
  /** The pod object is gone: its containers have exited. */
  isGone(pod: string): boolean;
}

export interface DrainOptions {
  /** kubectl's wait after a 429 before it asks again: 5 s. */
  retryMs?: number;
  /** kubectl's poll for an evicted pod to be gone: 1 s. */
  pollMs?: number;
  /** Milliseconds on the run's clock. */
  now: () => number;
  /** A line of kubectl's output. */
  log?: (line: string) => void;
  signal?: AbortSignal;
  /** For tests: how to wait. */
  wait?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface DrainReport {
  node: string;
  startedMs: number;
  /** When the last of its pods was gone, as kubectl saw it (its poll). */
  endedMs: number;
  pods: string[];
  /** 429s kubectl was answered for this node's pods. */
  refused: number;
}

export const EVICTION_RETRY_MS = 5000;
const DELETE_POLL_MS = 1000;

/**
 * `kubectl drain <node>` as it works (staging/src/k8s.io/kubectl/pkg/drain): cordon the node,
 * then evict every pod on it at once (one goroutine a pod); a 429 from the Eviction API is
 * printed and that pod is asked again 5 s later, for as long as it takes (no --timeout); once
 * evicted, kubectl polls every second until the pod is gone. The drain is done when every pod
 * of the node is.
 */
export async function kubectlDrain(
  node: string,
  target: DrainTarget,
  options: DrainOptions,
): Promise<DrainReport> {
  const retryMs = options.retryMs ?? EVICTION_RETRY_MS;
  const pollMs = options.pollMs ?? DELETE_POLL_MS;
  const wait = options.wait ?? ((ms, signal) => sleep(ms, undefined, { signal }));
  const log = options.log ?? (() => {});
  const startedMs = options.now();
  target.cordon(node);
  log(`node/${node} cordoned`);
  const pods = target.podsOn(node);
  let refused = 0;
  await Promise.all(
    pods.map(async (pod) => {
      log(`evicting pod default/${pod}`);
      for (;;) {
        options.signal?.throwIfAborted();
        const answer = target.evict(pod);
        if (answer.status === 404) return;
        if (answer.status === 201) break;
        refused += 1;
        log(
          `error when evicting pods/"${pod}" -n "default" (will retry after ${retryMs / 1000}s): ${answer.message}`,
        );
        await wait(retryMs, options.signal);
      }
      while (!target.isGone(pod)) await wait(pollMs, options.signal);
      log(`pod/${pod} evicted`);
    }),
  );
  log(`node/${node} drained`);
  return { node, startedMs, endedMs: options.now(), pods, refused };
}
