import type { Endpoint } from './endpoints.js';
import { freePort } from './ports.js';
import { type ProxiedConnection, ServiceProxy } from './proxy.js';

/** Where a pod listens and how its container is started. */
export interface PodAddress {
  host: string;
  port: number;
  /** The start command, wrapped to run where the pod lives (its network namespace). */
  command: (command: readonly string[]) => string[];
}

/** Gives pods their addresses, and takes them back. */
export interface PodNetwork {
  /** `pod` is the pod's key on this node: unique among every run that shares it. */
  attach(pod: string): Promise<PodAddress>;
  /** The pod is gone for good. */
  detach(pod: string): Promise<void>;
}

/** A Service: where clients connect, and what kube-proxy (or its stand-in) does with endpoints. */
export interface ServiceNetwork {
  readonly host: string;
  readonly port: number;
  /** Resolves once the new endpoints are in effect. */
  setEndpoints(endpoints: readonly Endpoint[]): Promise<void> | void;
  /**
   * Which pod a client connection went to, by its local port (absent when the connection never
   * opened), for a request that started at `startMs` on the run's clock.
   */
  connectionFrom(clientPort: number | undefined, startMs: number): ProxiedConnection | undefined;
  /** Waits until every connection made so far can be looked up. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Pods and Services: the kernel's network namespaces and iptables, or loopback and a user-space proxy. */
export interface Network {
  readonly kind: 'kernel' | 'userspace';
  readonly pods: PodNetwork;
  /** A new Service (one per run); `now` is the run's clock. */
  service(name: string, now: () => number): Promise<ServiceNetwork>;
}

/** Every pod on 127.0.0.1, each on its own port: the user-space mode. */
export const loopbackPods: PodNetwork = {
  async attach() {
    const port = await freePort();
    return { host: '127.0.0.1', port, command: (command) => [...command] };
  },
  async detach() {},
};

/** The user-space mode: pods on 127.0.0.1, a TCP proxy for each Service. */
export const userspaceNetwork: Network = {
  kind: 'userspace',
  pods: loopbackPods,
  service: () => ServiceProxy.listen(),
};
