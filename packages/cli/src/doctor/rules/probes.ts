import { type Container, type Handler, resolvePort } from '../../kubernetes/workload.js';
import { isLameduck } from '../cluster.js';
import { containerLabel, eachLongRunningContainer, eachServedContainer, type Rule } from '../rule.js';
import { MAX_LIVENESS_INITIAL_DELAY_SECONDS } from '../thresholds.js';

// Readiness asks "send me traffic?", liveness asks "restart me?". They are
// different questions on different paths; liveness never checks a dependency.

export const livenessMissing: Rule = {
  id: 'liveness-missing',
  summary: 'no livenessProbe: a wedged process is never restarted',
  severity: 'warning',
  scope: 'containers a Service targets',
  check(cluster) {
    return eachServedContainer(cluster, (container, workload) =>
      container.probes.livenessProbe
        ? undefined
        : {
            subject: workload.object,
            message: `${containerLabel(container)} has no livenessProbe: a wedged process keeps its pod forever`,
            fix: isLameduck(container, workload)
              ? 'add livenessProbe: httpGet /livez (lameduck answers 200 unless a liveness check fails, even while draining)'
              : 'add a livenessProbe that checks only the process itself (not its dependencies)',
          },
    );
  },
};

export const readinessMissing: Rule = {
  id: 'readiness-missing',
  summary: 'no readinessProbe: the pod gets traffic before it is ready and while it drains',
  severity: 'error',
  scope: 'containers a Service targets',
  check(cluster) {
    return eachServedContainer(cluster, (container, workload) =>
      container.probes.readinessProbe
        ? undefined
        : {
            subject: workload.object,
            message: `${containerLabel(container)} has no readinessProbe: it counts as ready as soon as it starts, and stays in the endpoints while it drains`,
            fix: isLameduck(container, workload)
              ? 'add readinessProbe: httpGet /readyz (lameduck answers 503 from the moment SIGTERM arrives)'
              : 'add a readinessProbe that fails until the app can serve (httpGet, grpc or tcpSocket on its port)',
          },
    );
  },
};

/** `/readyz`, `/ready`, `/readiness`, with any prefix (`/health/readyz`) and no query. */
const READINESS_PATH = /(?:^|\/)(?:readyz|ready|readiness)(?:\/|$)/;

function readinessTarget(handler: Handler): string | undefined {
  if (handler.type === 'httpGet') {
    const path = handler.path.split('?')[0] ?? '';
    return READINESS_PATH.test(path) ? handler.path : undefined;
  }
  if (handler.type === 'exec') {
    return handler.command.find((arg) => /^https?:\/\//.test(arg) && READINESS_PATH.test(safePath(arg)));
  }
  return undefined;
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

export const livenessChecksReadiness: Rule = {
  id: 'liveness-checks-readiness',
  summary: 'livenessProbe asks /readyz: a dependency outage restarts every pod',
  severity: 'error',
  scope: 'every long-running container',
  check(cluster) {
    return eachLongRunningContainer(cluster, (container, workload) => {
      const liveness = container.probes.livenessProbe;
      const target = liveness && readinessTarget(liveness.handler);
      if (target === undefined) return undefined;
      return {
        subject: workload.object,
        message: `${containerLabel(container)} livenessProbe checks ${target}: when a dependency fails (or the pod drains) readiness fails, and liveness then restarts every pod at once`,
        fix: 'point livenessProbe at /livez, which checks only the process itself',
      };
    });
  },
};

/**
 * The same question asked twice: the same whole httpGet target (path with its query, port, host),
 * or an identical handler. `/healthz` and `/healthz?full=true` are different questions.
 */
function sameEndpoint(container: Container, a: Handler, b: Handler): boolean {
  if (a.type === 'httpGet' && b.type === 'httpGet') {
    return (
      a.path === b.path &&
      resolvePort(container, a.port) === resolvePort(container, b.port) &&
      a.host === b.host
    );
  }
  if (a.type === 'tcpSocket' && b.type === 'tcpSocket') {
    return resolvePort(container, a.port) === resolvePort(container, b.port);
  }
  return a.type !== 'unknown' && JSON.stringify(a) === JSON.stringify(b);
}

function describeHandler(handler: Handler): string {
  switch (handler.type) {
    case 'httpGet':
      return `httpGet ${handler.path} on port ${handler.port}${handler.host ? ` of ${handler.host}` : ''}`;
    case 'tcpSocket':
      return `tcpSocket on port ${handler.port}`;
    case 'grpc':
      return `grpc on port ${handler.port}${handler.service ? ` (service ${handler.service})` : ''}`;
    case 'exec':
      return `exec ${JSON.stringify(handler.command)}`;
    default:
      return handler.type;
  }
}

export const livenessSameAsReadiness: Rule = {
  id: 'liveness-same-as-readiness',
  summary: 'readinessProbe and livenessProbe ask the same endpoint (the whole target, query included)',
  severity: 'warning',
  scope: 'every long-running container',
  check(cluster) {
    return eachLongRunningContainer(cluster, (container, workload) => {
      const { livenessProbe: liveness, readinessProbe: readiness } = container.probes;
      if (!liveness || !readiness || !sameEndpoint(container, liveness.handler, readiness.handler))
        return undefined;
      // Liveness on /readyz is the sharper finding; say that one alone.
      if (readinessTarget(liveness.handler) !== undefined) return undefined;
      return {
        subject: workload.object,
        message: `${containerLabel(container)} readinessProbe (${describeHandler(readiness.handler)}) and livenessProbe (${describeHandler(liveness.handler)}) ask the same question: a pod that should only leave the endpoints (dependency down, draining) gets restarted instead`,
        fix: 'use readinessProbe httpGet /readyz and livenessProbe httpGet /livez',
      };
    });
  },
};

export const startupProbeMissing: Rule = {
  id: 'startup-probe-missing',
  summary: `no startupProbe while livenessProbe waits initialDelaySeconds > ${MAX_LIVENESS_INITIAL_DELAY_SECONDS}`,
  severity: 'info',
  scope: 'every long-running container',
  check(cluster) {
    return eachLongRunningContainer(cluster, (container, workload) => {
      const delay = container.probes.livenessProbe?.initialDelaySeconds ?? 0;
      if (container.probes.startupProbe || delay <= MAX_LIVENESS_INITIAL_DELAY_SECONDS) return undefined;
      return {
        subject: workload.object,
        message: `${containerLabel(container)} livenessProbe waits initialDelaySeconds ${delay} and there is no startupProbe: every start waits ${delay} s before liveness looks, and a start slower than that is killed`,
        fix: `add startupProbe: httpGet /startupz with periodSeconds 2 and failureThreshold ${Math.ceil(delay / 2) + 5}, and drop initialDelaySeconds from livenessProbe`,
      };
    });
  },
};
