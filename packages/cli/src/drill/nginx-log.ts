// Reading nginx's own logs back: the access log (one JSON object a request, nginx-config.ts's
// format) says how many upstreams each request tried and what each answered; the error log says
// why a try failed. A request answered 200 after a failed try is a masked failure: the client
// never saw it, but the pod dropped it.

/** Why one try of a request at a pod failed, as nginx's error log says. */
export type TryFailure =
  /** connect() refused: the pod's listener is closed (ECONNREFUSED). */
  | 'refused'
  /** connect() found no pod at the address (EHOSTUNREACH, ENETUNREACH). */
  | 'unreachable'
  /** connect() did not complete within proxy_connect_timeout. */
  | 'connect-timeout'
  /**
   * The pod closed or reset a connection the request was written on (nginx: "upstream
   * prematurely closed connection", ECONNRESET, EPIPE): on a pooled connection, the keep-alive race.
   */
  | 'stale-keep-alive'
  /** No answer within proxy_read_timeout. */
  | 'read-timeout'
  /** No Ready endpoint at all: ingress-nginx answers 503 without trying a pod. */
  | 'no-endpoint'
  | 'other';

export const TRY_FAILURES: readonly TryFailure[] = [
  'refused',
  'unreachable',
  'connect-timeout',
  'stale-keep-alive',
  'read-timeout',
  'no-endpoint',
  'other',
];

/** One request as nginx logged it. */
export interface IngressRequest {
  /** The load's X-Drill-Request header: which client request this was. */
  request: number | undefined;
  method: string;
  status: number;
  /** Each try: the pod's address and what it answered (502 for a failed try). */
  tries: { address: string; status: string }[];
  /** Why each failed try failed, in order. */
  failures: TryFailure[];
}

interface AccessLine {
  connection: number;
  method: string;
  status: number;
  upstreamAddr: string;
  upstreamStatus: string;
  request: string;
}

/** The cause of one error-log line, or undefined for lines that are not about an upstream try. */
export function tryFailureOf(line: string): TryFailure | undefined {
  if (!/ upstream[,:]|upstream prematurely|upstream timed out/.test(line)) return undefined;
  if (/\(111: Connection refused\)/.test(line)) return 'refused';
  if (/\((113: No route to host|101: Network is unreachable)\)/.test(line)) return 'unreachable';
  if (/upstream timed out .*while connecting to upstream/.test(line)) return 'connect-timeout';
  if (/upstream timed out/.test(line)) return 'read-timeout';
  if (/prematurely closed|\(104: Connection reset by peer\)|\(32: Broken pipe\)/.test(line))
    return 'stale-keep-alive';
  return 'other';
}

/**
 * The requests of an access log, each with the causes of its failed tries from the error log.
 * Both logs name the client connection (`*N` in the error log, `connection` in the access log):
 * a connection's error lines are taken in order by its requests in order, each request taking one
 * per failed try (nginx writes the access line after the error lines of its tries).
 */
export function readIngressLogs(accessLog: string, errorLog: string): IngressRequest[] {
  const errors = new Map<number, TryFailure[]>();
  for (const line of errorLog.split('\n')) {
    const cause = tryFailureOf(line);
    const connection = Number(/ \*(\d+) /.exec(line)?.[1]);
    if (cause === undefined || !Number.isInteger(connection)) continue;
    const list = errors.get(connection) ?? [];
    list.push(cause);
    errors.set(connection, list);
  }
  const requests: IngressRequest[] = [];
  for (const line of accessLog.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: AccessLine;
    try {
      entry = JSON.parse(line) as AccessLine;
    } catch {
      continue;
    }
    const addresses = splitList(entry.upstreamAddr);
    const statuses = splitList(entry.upstreamStatus);
    const tries = addresses.map((address, index) => ({ address, status: statuses[index] ?? '-' }));
    const failedTries = tries.filter((each) => !/^[1-4]\d\d$/.test(each.status)).length;
    const queue = errors.get(entry.connection) ?? [];
    const failures: TryFailure[] =
      tries.length === 0 && entry.status === 503 ? ['no-endpoint'] : queue.splice(0, failedTries);
    while (failures.length < failedTries) failures.push('other');
    const request = Number(entry.request);
    requests.push({
      request: entry.request !== '' && Number.isInteger(request) ? request : undefined,
      method: entry.method,
      status: entry.status,
      tries,
      failures,
    });
  }
  return requests;
}

/** "10.231.0.3:8080, 10.231.0.4:8080" (a comma per try; " : " when an internal redirect came in between). */
function splitList(value: string): string[] {
  if (value === '' || value === '-') return [];
  return value.split(/\s*[,:]\s+/).filter((part) => part !== '');
}

/** What nginx hid from the client, and what it could not: counts by cause. */
export interface IngressSummary {
  /** Requests nginx answered after at least one failed try (the client saw a success). */
  masked: number;
  maskedByCause: Record<TryFailure, number>;
  /** Requests nginx itself answered 502/503/504, by the cause of their last failed try. */
  proxyFailed: number;
  proxyFailedByCause: Record<TryFailure, number>;
  /** POSTs among the proxy's failures: nginx does not send a non-idempotent request again. */
  proxyFailedPosts: number;
}

export function summarizeIngress(requests: readonly IngressRequest[]): IngressSummary {
  const zero = () =>
    Object.fromEntries(TRY_FAILURES.map((cause) => [cause, 0])) as Record<TryFailure, number>;
  const summary: IngressSummary = {
    masked: 0,
    maskedByCause: zero(),
    proxyFailed: 0,
    proxyFailedByCause: zero(),
    proxyFailedPosts: 0,
  };
  for (const request of requests) {
    if (request.failures.length === 0) continue;
    if (request.status < 400) {
      summary.masked += 1;
      for (const cause of new Set(request.failures)) summary.maskedByCause[cause] += 1;
    } else if (request.status >= 502 && request.status <= 504) {
      summary.proxyFailed += 1;
      const last = request.failures.at(-1) ?? 'other';
      summary.proxyFailedByCause[last] += 1;
      if (request.method === 'POST') summary.proxyFailedPosts += 1;
    }
  }
  return summary;
}
