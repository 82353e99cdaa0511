// Installs what the drill's tests need from Debian when it is missing: iproute2, iptables and
// conntrack (--network kernel), chromium (the report's test) — scripts/ensure-drill-tools.sh all.
// Vitest global setup, once per run. When it cannot install (not root, no apt-get, no mirror), the
// tests that need the tools fail with its one line (inject('drillToolsMissing')); they never skip.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why the drill's tools could not be installed; undefined when they are all there. */
    drillToolsMissing: string | undefined;
  }
}

const SCRIPT = fileURLToPath(new URL('../../../scripts/ensure-drill-tools.sh', import.meta.url));

export default async function setup(project: TestProject) {
  const startedAt = performance.now();
  const missing = await new Promise<string | undefined>((resolve) => {
    execFile('bash', [SCRIPT, 'all'], { timeout: 15 * 60_000 }, (error, stdout, stderr) => {
      for (const line of stdout.trim().split('\n').filter(Boolean)) console.log(line);
      resolve(error ? stderr.trim().split('\n').at(-1) || error.message : undefined);
    });
  });
  if (missing) process.stderr.write(`${missing}\n`);
  else console.log(`drill tools ready in ${Math.round(performance.now() - startedAt)} ms`);
  project.provide('drillToolsMissing', missing);
}
