import { fileURLToPath } from 'node:url';
import { runDemoContract } from 'lameduck-test-utils';

// The black-box drain test every demo passes: the built server as a child process, real signals.
runDemoContract({ name: 'node-demo', appDir: fileURLToPath(new URL('..', import.meta.url)) });
