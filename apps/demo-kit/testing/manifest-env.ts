// The environment that a demo's generated manifests give its container must start the app: its
// own budget check (drain delay + drain timeout + the cleanup budget, counted from SIGTERM) must
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

    it(`the same environment with a grace period too short starts fitted, in one line, and LAMEDUCK_BUDGET=refuse refuses`, async () => {
      const env = {
        ...manifestEnv(demo, 'native-sleep'),
        PORT: '0',
        DATABASE_URL: 'postgres://demo@127.0.0.1:1/demo',
        // 20 s drain timeout + 0.35 s of lameduck's own waits + the 5 s cleanup budget (the demo's
        // hook's and any other's), with 1 s of headroom: 24 cannot fit.
        TERMINATION_GRACE_PERIOD_SECONDS: '24',
      };
      const fitted = spawnNode('dist/server.js', { cwd: appDir, env });
      await fitted.waitForLine(new RegExp(`^${demo} listening on port \\d+$`));
      // The logger may write the warning to either stream.
      const said = [...fitted.lines, ...fitted.stderr.split('\n')].filter((line) =>
        line.includes('started anyway'),
      );
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/the shutdown could take up to 25350 ms .*drainTimeoutMs 20000 -> 17650 ms/);
      fitted.child.kill('SIGTERM');
      expect((await fitted.exited).code).toBe(0);

      const refused = spawnNode('dist/server.js', {
        cwd: appDir,
        env: { ...env, LAMEDUCK_BUDGET: 'refuse' },
      });
      expect((await refused.exited).code).toBe(2);
      expect(refused.stderr).toMatch(
        new RegExp(`^${demo}: the shutdown can take up to 25350 ms .*cleanup 5000`),
      );
      expect(refused.stderr.trimEnd().split('\n')).toHaveLength(1);
    });
  });
}
