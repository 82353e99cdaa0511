import { fileURLToPath } from 'node:url';
import { runManifestEnvContract } from 'demo-kit/testing/manifest-env';

runManifestEnvContract({
  demo: 'nestjs-demo',
  appDir: fileURLToPath(new URL('..', import.meta.url)),
  hook: 'nest',
});
