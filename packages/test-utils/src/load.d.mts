export interface LoadReport {
  requests: number;
  /** Responses by status code. */
  statuses: Record<number, number>;
  /** Failed requests by error code (ECONNRESET, ECONNREFUSED, EPIPE, ...) or message. */
  errors: Record<string, number>;
  /** Responses to requests sent after `mark()` was called. */
  afterMark: number;
  /** Of those, how many did not carry `Connection: close`. */
  afterMarkWithoutClose: number;
}

export interface KeepAliveLoad {
  /** The counts so far; `stop()` resolves with the same object once every client settled. */
  readonly report: LoadReport;
  waitForRequests(count: number, limits: { minMs?: number; maxMs: number }): Promise<void>;
  mark(): void;
  stop(): Promise<LoadReport>;
}

export function startKeepAliveLoad(url: string, clients?: number): KeepAliveLoad;
export function failures(report: LoadReport): number;
