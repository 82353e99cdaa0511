// The environment that the generated manifests give the container must start the app: its own
// budget check (drain delay + drain timeout + the `nest` hook — app.close(), whose onApplicationShutdown hook
// ends the postgres pool — counted from SIGTERM)
// must fit the TERMINATION_GRACE_PERIOD_SECONDS the manifest passes.
import { fileURLToPath } from 'node:url';
import { manifestObjects, VARIANTS } from 'demo-kit/deploy';
import { killAllChildren, spawnNode } from 'lameduck-test-utils';
import { afterEach, describe, expect, it } from 'vitest';

const appDir = fileURLToPath(new URL('..', import.meta.url));

function manifestEnv(variantName: string): Record<string, string> {
  const variant = VARIANTS.find((each) => each.name === variantName)!;
  const [deployment] = manifestObjects('nestjs-demo', variant);
  const env: { name: string; value?: string }[] = deployment.spec.template.spec.containers[0].env;
  return Object.fromEntries(env.flatMap(({ name, value }) => (value === undefined ? [] : [[name, value]])));
}

describe('nestjs-demo with the environment of its manifests', () => {
  afterEach(killAllChildren);

  it.each(VARIANTS.map((variant) => variant.name))('%s: starts, pool and all', async (variant) => {
    const env = {
      ...manifestEnv(variant),
      PORT: '0',
      // Nothing listens there: the pool connects lazily, and only the startup matters here.
      DATABASE_URL: 'postgres://demo@127.0.0.1:1/demo',
    };
    const demo = spawnNode('dist/server.js', { cwd: appDir, env });
    await demo.waitForLine(/^nestjs-demo listening on port \d+$/);
    expect(demo.stderr).toBe('');
  });

  it('the same environment with a grace period too short for the nest hook is refused at startup', async () => {
    const env = {
      ...manifestEnv('native-sleep'),
      PORT: '0',
      DATABASE_URL: 'postgres://demo@127.0.0.1:1/demo',
    };
    // 20 s drain timeout + 0.35 s of lameduck's own + 5 s hook, with 1 s of headroom: 24 cannot fit.
    const demo = spawnNode('dist/server.js', {
      cwd: appDir,
      env: { ...env, TERMINATION_GRACE_PERIOD_SECONDS: '24' },
    });
    expect((await demo.exited).code).toBe(2);
    expect(demo.stderr).toMatch(/^nestjs-demo: the shutdown can take up to 25350 ms .*"nest" 5000/);
  });
});
