import { Agent } from 'node:http';
import { request } from './http.js';

export interface LoadReport {
  requests: number;
  /** Responses by status code. */
  statuses: Record<number, number>;
  /** Failed requests by error code (ECONNRESET, ECONNREFUSED, EPIPE, ...). */
  errors: Record<string, number>;
  /** Responses that started after `mark()` was called. */
  afterMark: number;
  /** Of those, how many did not carry `Connection: close`. */
  afterMarkWithoutClose: number;
}

/**
 * Keep-alive clients in a loop against one URL, as a Kubernetes Service sees them: each client
 * reuses its socket until the server closes it, then opens a new one. Call `mark()` when the
 * shutdown starts and `stop()` when the clients should stop (as load balancers do once they
 * have dropped the endpoint).
 */
export function startKeepAliveLoad(url: string, clients = 20) {
  const report: LoadReport = {
    requests: 0,
    statuses: {},
    errors: {},
    afterMark: 0,
    afterMarkWithoutClose: 0,
  };
  let running = true;
  let markedAt: number | undefined;
  const agents: Agent[] = [];

  async function client(): Promise<void> {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    while (running) {
      const startedAt = Date.now();
      try {
        const response = await request(url, { agent });
        report.requests += 1;
        report.statuses[response.status] = (report.statuses[response.status] ?? 0) + 1;
        if (markedAt !== undefined && startedAt >= markedAt) {
          report.afterMark += 1;
          if (response.headers.connection !== 'close') report.afterMarkWithoutClose += 1;
        }
      } catch (error) {
        report.requests += 1;
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        report.errors[code] = (report.errors[code] ?? 0) + 1;
        // A refused connection repeats at once; a short pause keeps the count meaningful.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  }

  const done = Promise.all(Array.from({ length: clients }, () => client()));
  return {
    report,
    mark() {
      markedAt = Date.now();
    },
    async stop(): Promise<LoadReport> {
      running = false;
      await done;
      for (const agent of agents) agent.destroy();
      return report;
    },
  };
}

export function failures(report: LoadReport): number {
  return Object.values(report.errors).reduce((sum, count) => sum + count, 0);
}
