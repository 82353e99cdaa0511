import { announceSkip, startTestPostgres } from 'demo-kit/testing';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { url: string; dir: string } | { skipReason: string };
  }
}

export default async function setup(project: TestProject) {
  const startedAt = performance.now();
  const result = await startTestPostgres((line) => console.log(line));
  if ('skipReason' in result) {
    announceSkip('the PostgreSQL tests of fastify-demo', result.skipReason, (text) =>
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
