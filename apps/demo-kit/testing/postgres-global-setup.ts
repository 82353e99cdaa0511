// Vitest global setup for a demo's PostgreSQL tests (postgres-contract.ts): one real server per
// run, installed if missing, provided to the test files as `inject('postgres')`.
import type { TestProject } from 'vitest/node';
import { announceSkip, startTestPostgres } from './postgres.js';
import type {} from './postgres-contract.js'; // the type of inject('postgres')

export default async function setup(project: TestProject) {
  const startedAt = performance.now();
  const result = await startTestPostgres((line) => console.log(line));
  if ('skipReason' in result) {
    announceSkip(`the PostgreSQL tests of ${project.name}`, result.skipReason, (text) =>
      process.stderr.write(text),
    );
    project.provide('postgres', { skipReason: result.skipReason });
    return;
  }
  const { postgres } = result;
  console.log(`postgres ready at ${postgres.url} in ${Math.round(performance.now() - startedAt)} ms`);
  project.provide('postgres', { url: postgres.url, dir: postgres.dir });
  return () => postgres.destroy();
}
