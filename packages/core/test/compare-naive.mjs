#!/usr/bin/env node
// Naive server.close() vs lameduck, measured: 50 keep-alive clients load a real child process,
// SIGTERM arrives, and the clients stop 500 ms later (as if the load balancer had just caught
// up). Prints requests, ECONNRESET, ECONNREFUSED and the exit time for each.
// Run after `pnpm build`:  node packages/core/test/compare-naive.mjs [runs]
import { fileURLToPath } from 'node:url';
import { killAllChildren, spawnNode } from 'lameduck-test-utils/child-process';
import { failures, startKeepAliveLoad } from 'lameduck-test-utils/load';

const runs = Number(process.argv[2] ?? 3);
const clients = 50;
const stopAfterMs = 500;
const fixture = (name) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

async function main() {
  const rows = [];
  for (let run = 1; run <= runs; run += 1) {
    for (const [name, file, env] of [
      ['naive server.close()', fixture('naive-server.mjs'), {}],
      ['lameduck (drainDelayMs 1000)', fixture('drain-server.mjs'), { DRAIN_DELAY_MS: '1000' }],
    ]) {
      const child = spawnNode(file, { env });
      const { port } = JSON.parse(await child.waitForLine(/"event":"listening"/));
      const load = startKeepAliveLoad(`http://127.0.0.1:${port}/`, clients);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const signalledAt = performance.now();
      child.signal('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, stopAfterMs));
      const summary = await load.stop();
      let timer;
      const status = await Promise.race([
        child.exited.then((exit) => ({ code: exit.code, ms: Math.round(performance.now() - signalledAt) })),
        new Promise((resolve) => {
          timer = setTimeout(() => resolve({ code: 'still running after 30 s', ms: Number.NaN }), 30_000);
        }),
      ]);
      clearTimeout(timer);
      await killAllChildren();
      rows.push({
        run,
        server: name,
        requests: summary.requests,
        ok: summary.statuses[200] ?? 0,
        ECONNRESET: summary.errors.ECONNRESET ?? 0,
        ECONNREFUSED: summary.errors.ECONNREFUSED ?? 0,
        otherErrors:
          failures(summary) - (summary.errors.ECONNRESET ?? 0) - (summary.errors.ECONNREFUSED ?? 0),
        exitCode: status.code,
        exitMsAfterSigterm: status.ms,
      });
    }
  }
  console.log(
    `node ${process.version}, ${clients} keep-alive clients, stopping ${stopAfterMs} ms after SIGTERM`,
  );
  console.table(rows);
}

await main();
