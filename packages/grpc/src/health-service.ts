// grpc.health.v1.Health (Check and Watch) answered from a lifecycle: the gRPC side of the
// probes, as the probe paths are the HTTP side. Kubernetes' native `grpc` probes and
// grpc-health-probe call Check; client-side health checking (and Envoy) keeps a Watch open.
import type {
  ServerUnaryCall,
  ServerWritableStream,
  ServiceDefinition,
  sendUnaryData,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { CheckKind, Lameduck } from '@lameduck/core';
import {
  decodeHealthCheckRequest,
  decodeHealthCheckResponse,
  encodeHealthCheckRequest,
  encodeHealthCheckResponse,
  type HealthCheckRequest,
  type HealthCheckResponse,
  type ServingStatus,
} from './health-codec.js';

/**
 * The service names that name a probe rather than a gRPC service: point a Kubernetes `grpc`
 * probe's `service` at them. The empty name, and the name of every service registered on the
 * server, answer as `readiness` does.
 */
export const PROBE_SERVICE_NAMES: Readonly<Record<string, CheckKind>> = {
  liveness: 'liveness',
  readiness: 'readiness',
  startup: 'startup',
};

/**
 * While a Watch is open, how often its status is evaluated again, so that a check that starts
 * failing reaches watchers without a probe asking. State changes (ready, the drain) reach them
 * at once. The default readiness cache TTL: a check is not run more often than that anyway.
 */
export const WATCH_EVALUATION_INTERVAL_MS = 1000;

/** gRPC status codes used here (the gRPC protocol's numbers). */
const GRPC_STATUS_NOT_FOUND = 5;

/** The service definition grpc-js registers: the two methods of health.proto's Health. */
export const HEALTH_SERVICE: ServiceDefinition<UntypedServiceImplementation> = {
  check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    requestSerialize: encodeHealthCheckRequest,
    requestDeserialize: decodeHealthCheckRequest,
    responseSerialize: encodeHealthCheckResponse,
    responseDeserialize: decodeHealthCheckResponse,
    originalName: 'Check',
  },
  watch: {
    path: '/grpc.health.v1.Health/Watch',
    requestStream: false,
    responseStream: true,
    requestSerialize: encodeHealthCheckRequest,
    requestDeserialize: decodeHealthCheckRequest,
    responseSerialize: encodeHealthCheckResponse,
    responseDeserialize: decodeHealthCheckResponse,
    originalName: 'Watch',
  },
};

export interface HealthSource {
  readonly lifecycle: Pick<Lameduck, 'probe' | 'on'>;
  /** Names of the gRPC services registered on the server, read at each call. */
  registeredServices(): ReadonlySet<string>;
  /** Aborts when the listeners close: open Watch streams end then (they would hold the drain open). */
  readonly closing: AbortSignal;
}

interface Watcher {
  readonly service: string;
  readonly call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>;
  sent?: ServingStatus;
}

/** Check and Watch for grpc-js's `server.addService(HEALTH_SERVICE, implementation)`. */
export function healthImplementation(source: HealthSource): UntypedServiceImplementation {
  const watchers = new Set<Watcher>();
  let interval: ReturnType<typeof setInterval> | undefined;
  /** The newest evaluation applied, per probe kind: an older one finishing late is dropped. */
  const applied = new Map<CheckKind | undefined, number>();
  let generation = 0;

  const kindOf = (service: string): CheckKind | undefined => {
    if (service === '') return 'readiness';
    if (Object.hasOwn(PROBE_SERVICE_NAMES, service)) return PROBE_SERVICE_NAMES[service];
    return source.registeredServices().has(service) ? 'readiness' : undefined;
  };
  const statusOf = async (kind: CheckKind): Promise<ServingStatus> => {
    try {
      const report = await source.lifecycle.probe(kind);
      return report.status === 'fail' ? 'NOT_SERVING' : 'SERVING';
    } catch {
      return 'NOT_SERVING';
    }
  };

  const send = (watcher: Watcher, status: ServingStatus) => {
    if (watcher.sent === status || !watchers.has(watcher)) return;
    watcher.sent = status;
    watcher.call.write({ status });
  };
  /** Every open Watch, evaluated once per probe kind; only changes are sent. */
  const evaluateAll = () => {
    generation += 1;
    const current = generation;
    const byKind = new Map<CheckKind | undefined, Watcher[]>();
    for (const watcher of watchers) {
      const kind = kindOf(watcher.service);
      byKind.set(kind, [...(byKind.get(kind) ?? []), watcher]);
    }
    for (const [kind, group] of byKind) {
      const evaluated =
        kind === undefined ? Promise.resolve<ServingStatus>('SERVICE_UNKNOWN') : statusOf(kind);
      void evaluated.then((status) => {
        if ((applied.get(kind) ?? 0) > current) return;
        applied.set(kind, current);
        for (const watcher of group) send(watcher, status);
      });
    }
  };
  const forget = (watcher: Watcher) => {
    watchers.delete(watcher);
    if (watchers.size === 0 && interval !== undefined) {
      clearInterval(interval);
      interval = undefined;
    }
  };
  const endAll = () => {
    for (const watcher of watchers) {
      forget(watcher);
      watcher.call.end();
    }
  };

  source.lifecycle.on('state', () => evaluateAll());
  source.closing.addEventListener('abort', endAll, { once: true });

  return {
    check(
      call: ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>,
      callback: sendUnaryData<HealthCheckResponse>,
    ) {
      const service = call.request.service;
      const kind = kindOf(service);
      if (kind === undefined) {
        callback({
          code: GRPC_STATUS_NOT_FOUND,
          details: `unknown service ${JSON.stringify(service.slice(0, 100))}`,
        });
        return;
      }
      void statusOf(kind).then((status) => callback(null, { status }));
    },
    watch(call: ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) {
      const watcher: Watcher = { service: call.request.service, call };
      watchers.add(watcher);
      call.on('cancelled', () => forget(watcher));
      call.on('close', () => forget(watcher));
      const kind = kindOf(watcher.service);
      const startedAt = generation;
      // The spec: an unknown service gets SERVICE_UNKNOWN, and the call stays open in case it appears.
      const first = kind === undefined ? Promise.resolve<ServingStatus>('SERVICE_UNKNOWN') : statusOf(kind);
      void first.then((status) => {
        // A state change meanwhile (the drain) was evaluated for this watcher too, and is newer.
        if ((applied.get(kind) ?? 0) <= startedAt) send(watcher, status);
        if (source.closing.aborted) {
          // The listeners are closed: the status, then the end; a new Watch must not hold the drain.
          forget(watcher);
          call.end();
        }
      });
      if (interval === undefined && !source.closing.aborted) {
        interval = setInterval(evaluateAll, WATCH_EVALUATION_INTERVAL_MS);
        interval.unref();
      }
    },
  };
}
