import { runConformanceSuite, runningApp } from 'lameduck-test-utils';
import { PLATFORMS, startNestApp } from './nest-app.js';

for (const platform of PLATFORMS) {
  runConformanceSuite({
    framework: `nestjs on ${platform}`,
    async start(options) {
      const { url, lameduck } = await startNestApp(platform, options);
      return runningApp(lameduck, url);
    },
  });
}
