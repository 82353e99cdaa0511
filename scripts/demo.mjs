#!/usr/bin/env node
// The quick start's first job until `pnpm drill` exists: walk one lifecycle through its states
// and print what Kubernetes would see from each probe at each step, from the built package.
import { createServer } from 'node:http';
import { createLameduck, respondToProbe } from '../packages/core/dist/index.js';

const lameduck = createLameduck({ logger: false, exposeDetails: true });
let databaseUp = true;
lameduck.check('database', async () => {
  if (!databaseUp) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
});
lameduck.check('cache', async () => {}, { critical: false });
lameduck.check('event-loop', async () => {}, { kind: 'liveness' });

const server = createServer(async (request, response) => {
  const answer = respondToProbe(lameduck, {
    method: request.method ?? 'GET',
    path: request.url ?? '/',
    headers: request.headers,
  });
  if (!answer) {
    response.end('hello\n');
    return;
  }
  const { status, headers, body } = await answer;
  response.writeHead(status, headers).end(body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

async function show(title, paths) {
  console.log(`\n== ${title} (state: ${lameduck.state})`);
  for (const path of paths) {
    const response = await fetch(`${base}${path}`);
    const body = (await response.text()).trimEnd().replaceAll('\n', '\n      ');
    console.log(`GET ${path} -> ${response.status}\n      ${body}`);
  }
}

await show('process started, app still initialising', ['/startupz', '/readyz', '/livez']);
lameduck.ready('the app finished starting');
await show('after ready()', ['/startupz', '/readyz?verbose', '/livez?verbose']);
databaseUp = false;
await new Promise((resolve) => setTimeout(resolve, 1100)); // let the 1 s readiness cache expire
await show('the database goes down: readiness fails, liveness does not', ['/readyz', '/livez']);
databaseUp = true;
await new Promise((resolve) => setTimeout(resolve, 1100));
lameduck.drain('SIGTERM');
await show('draining after SIGTERM: readiness 503 at once, liveness still 200', ['/readyz', '/livez']);
const json = await fetch(`${base}/livez`, { headers: { accept: 'application/health+json' } });
console.log(`\nGET /livez (Accept: application/health+json) -> ${json.status}\n      ${await json.text()}`);
server.close();
