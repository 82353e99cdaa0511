// Keep-alive load like a pod behind kube-proxy sees: independent clients, each with its own
// keep-alive agent (one socket at a time), sending requests back to back and counting failures
// by their error code. Shared by the drain tests and the naive-vs-lameduck comparison.
import { Agent, request } from 'node:http';

export function startKeepAliveLoad({ port, host = '127.0.0.1', clients = 50, path = '/' }) {
  let stopping = false;
  let markedAt;
  const summary = {
    requests: 0,
    ok: 0,
    badStatus: 0,
    errors: { ECONNRESET: 0, ECONNREFUSED: 0, other: 0 },
    otherErrors: [],
    afterMark: { responses: 0, withoutConnectionClose: 0 },
  };
  const agents = [];

  async function client() {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    while (!stopping) {
      const sentAt = performance.now();
      summary.requests += 1;
      try {
        const { status, connection } = await get(agent);
        if (status === 200) summary.ok += 1;
        else summary.badStatus += 1;
        if (markedAt !== undefined && sentAt > markedAt) {
          summary.afterMark.responses += 1;
          if (connection !== 'close') summary.afterMark.withoutConnectionClose += 1;
        }
      } catch (error) {
        const code = error?.code;
        if (code === 'ECONNRESET' || code === 'ECONNREFUSED') summary.errors[code] += 1;
        else {
          summary.errors.other += 1;
          if (summary.otherErrors.length < 5) summary.otherErrors.push(String(code ?? error?.message));
        }
      }
    }
    agent.destroy();
  }

  function get(agent) {
    return new Promise((resolve, reject) => {
      const req = request({ host, port, path, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, connection: res.headers.connection }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }

  const running = Promise.all(Array.from({ length: clients }, client));
  return {
    summary,
    /** From now on, responses to requests sent later must carry Connection: close. */
    mark() {
      markedAt = performance.now();
    },
    /** Stops sending; resolves with the counts once every client's last request settled. */
    async stop() {
      stopping = true;
      await running;
      for (const agent of agents) agent.destroy();
      return summary;
    },
  };
}
