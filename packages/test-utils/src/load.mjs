// Keep-alive load as a pod behind a Kubernetes Service sees it: independent clients, each with its
// own keep-alive agent (one socket at a time), sending requests back to back and counting
// responses by status and failures by error code. Plain JavaScript so that scripts run by node
// (core's test/compare-naive.mjs) use the same load as the tests.
import { Agent, request } from 'node:http';

/**
 * Each client reuses its socket until the server closes it, then opens a new one. Call `mark()`
 * when the shutdown starts and `stop()` when the clients should stop (as load balancers do once
 * they have dropped the endpoint).
 */
export function startKeepAliveLoad(url, clients = 20) {
  const report = { requests: 0, statuses: {}, errors: {}, afterMark: 0, afterMarkWithoutClose: 0 };
  let running = true;
  let markedAt;
  const startedAt = performance.now();
  const agents = [];

  async function client() {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    while (running) {
      const startedAt = performance.now();
      try {
        const { status, connection } = await get(url, agent);
        report.requests += 1;
        report.statuses[status] = (report.statuses[status] ?? 0) + 1;
        if (markedAt !== undefined && startedAt >= markedAt) {
          report.afterMark += 1;
          if (connection !== 'close') report.afterMarkWithoutClose += 1;
        }
      } catch (error) {
        report.requests += 1;
        const code = error?.code ?? error?.message ?? String(error);
        report.errors[code] = (report.errors[code] ?? 0) + 1;
        // A refused connection repeats at once; a short pause keeps the count meaningful.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  }

  const done = Promise.all(Array.from({ length: clients }, () => client()));
  return {
    report,
    /**
     * Resolves once `count` requests are done and `minMs` have passed since the load started, or
     * at `maxMs` in any case (the test's assertions then tell whether the load was enough).
     */
    async waitForRequests(count, { minMs = 0, maxMs }) {
      const elapsedMs = () => performance.now() - startedAt;
      while ((report.requests < count || elapsedMs() < minMs) && elapsedMs() < maxMs) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    /** From now on, responses to requests sent later must carry Connection: close. */
    mark() {
      markedAt = performance.now();
    },
    /** Stops sending; resolves with the counts once every client's last request settled. */
    async stop() {
      running = false;
      await done;
      for (const agent of agents) agent.destroy();
      return report;
    },
  };
}

/** Failed requests of all kinds (resets, refusals, timeouts). */
export function failures(report) {
  return Object.values(report.errors).reduce((sum, count) => sum + count, 0);
}

/** One GET on the client's own agent; the body is read and dropped. */
function get(url, agent) {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { agent }, (response) => {
      response.resume();
      response.on('error', reject);
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }),
      );
    });
    outgoing.setTimeout(15_000, () => outgoing.destroy(new Error('client timeout')));
    outgoing.on('error', reject);
    outgoing.end();
  });
}
