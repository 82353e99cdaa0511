// The environment that a demo's generated manifests give its container must start the app: its
// own budget check (drain delay + drain timeout + its one cleanup hook, counted from SIGTERM) must
// fit the TERMINATION_GRACE_PERIOD_SECONDS the manifest passes. Shared by the demos' tests.
import { killAllChildren, spawnNode } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { manifestObjects, VARIANTS } from '../deploy/demo-files.mjs';

export interface ManifestEnvOptions {
  /** The demo's name, as in its manifests and its "<name> listening on port N" line. */
  demo: string;
  /** The demo's directory, where `dist/server.js` is. */
  appDir: string;
  /** The name of the one cleanup hook the demo registers when DATABASE_URL is set. */
  hook: string;
}

function manifestEnv(demo: string, variantName: string): Record<string, string> {
  const variant = VARIANTS.find((each) => each.name === variantName);
  if (!variant) throw new Error(`no variant ${variantName}`);
  const [deployment] = manifestObjects(demo, variant);
  const env: { name: string; value?: string }[] = deployment.spec.template.spec.containers[0].env;
  return Object.fromEntries(env.flatMap(({ name, value }) => (value === undefined ? [] : [[name, value]])));
}

export function runManifestEnvContract({ demo, appDir, hook }: ManifestEnvOptions): void {
  describe(`${demo} with the environment of its manifests`, () => {
    afterEach(killAllChildren);

    it.each(VARIANTS.map((variant) => variant.name))(`%s: starts, ${hook} hook and all`, async (variant) => {
      const env = {
        ...manifestEnv(demo, variant),
        PORT: '0',
        // Nothing listens there: the pool connects lazily, and only the startup matters here.
        DATABASE_URL: 'postgres://demo@127.0.0.1:1/demo',
      };
      const child = spawnNode('dist/server.js', { cwd: appDir, env });
      await child.waitForLine(new RegExp(`^${demo} listening on port \\d+$`));
      expect(child.stderr).toBe('');
    });

    it(`the same environment with a grace period too short for the ${hook} hook is refused at startup`, async () => {
      const env = {
        ...manifestEnv(demo, 'native-sleep'),
        PORT: '0',
        DATABASE_URL: 'postgres://demo@127.0.0.1:1/demo',
      };
      // 20 s drain timeout + 0.35 s of lameduck's own waits + 5 s hook, with 1 s of headroom: 24 cannot fit.
      const child = spawnNode('dist/server.js', {
        cwd: appDir,
        env: { ...env, TERMINATION_GRACE_PERIOD_SECONDS: '24' },
      });
      expect((await child.exited).code).toBe(2);
      expect(child.stderr).toMatch(
        new RegExp(`^${demo}: the shutdown can take up to 25350 ms .*"${hook}" 5000`),
      );
    });
  });
}
