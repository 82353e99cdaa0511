import { afterEach, describe, expect, it } from 'vitest';
import { probe, processesTagged, serverCommand, testSpec, uniqueTag } from '../../test/drill-helpers.js';
import type { DrillError } from './errors.js';
import { Kubelet, telling } from './kubelet.js';
import { freePort } from './ports.js';
import { podEnv } from './run.js';
import type { DrillSpec } from './spec.js';
import { type EventKind, Timeline } from './timeline.js';

// Real processes (test/fixtures/drill/server.mjs) probed every 100 ms: the kubelet's logic with
// the manifest's seconds shortened to milliseconds.

const kubelets: Kubelet[] = [];

afterEach(() => {
  for (const kubelet of kubelets.splice(0)) kubelet.dispose();
});

async function startPod(spec: DrillSpec, command = serverCommand(uniqueTag())) {
  const timeline = new Timeline();
  const fatal: DrillError[] = [];
  const port = await freePort();
  let changed: () => void = () => {};
  const kubelet = new Kubelet({
    spec,
    name: 'web-v1-1',
    version: 'v1',
    host: '127.0.0.1',
    port,
    command,
    cwd: process.cwd(),
    env: podEnv(spec, { name: 'web-v1-1', version: 'v1', port }),
    timeline,
    onChange: () => changed(),
    onFatal: (error) => {
      fatal.push(error);
      changed();
    },
  });
  kubelets.push(kubelet);
  kubelet.start();
  const until = (condition: () => boolean, timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out; events: ${kinds().join(', ')}`)),
        timeoutMs,
      );
      changed = () => {
        if (!condition()) return;
        clearTimeout(timer);
        resolve();
      };
      changed();
    });
  const at = (kind: EventKind) => timeline.events.find((event) => event.kind === kind)?.atMs;
  const kinds = () => timeline.events.map((event) => event.kind);
  return { kubelet, timeline, fatal, until, at, kinds, port };
}

describe('Kubelet', () => {
  it('starts the container with PORT and VERSION, and marks it ready once startup and readiness pass', async () => {
    const pod = await startPod(
      // 5 s for node to start on a busy machine before the startup probe gives up.
      testSpec({
        probes: {
          startup: probe('/startupz', 100, { failureThreshold: 50 }),
          readiness: probe('/readyz', 1000),
        },
      }),
    );
    await pod.until(() => pod.kubelet.pod.probeReady);
    // Readiness runs as soon as startup passes, not a whole period later.
    expect((pod.at('pod-ready') ?? 0) - (pod.at('pod-started') ?? 0)).toBeLessThan(900);
    const answer = await fetch(`http://127.0.0.1:${pod.port}/`);
    expect(await answer.text()).toBe('ok v1\n');
  });

  it('on delete: not ready at once, preStop pause, then SIGTERM, and the exit is recorded', async () => {
    const pod = await startPod(testSpec({ preStop: { type: 'sleep', ms: 400, how: 'sleep' } }));
    await pod.until(() => pod.kubelet.pod.probeReady);
    const deleted = pod.kubelet.delete();
    expect(pod.kubelet.pod.deletedAtMs).toBeDefined();
    await deleted;
    const pause = (pod.at('sigterm') ?? 0) - (pod.at('pod-deleted') ?? 0);
    expect(pause).toBeGreaterThanOrEqual(395);
    expect(pod.kubelet.pod.exit).toEqual({ code: 0, signal: null });
    expect(pod.kubelet.output.some((line) => line.startsWith('SIGTERM at'))).toBe(true);
    expect(pod.kinds()).toEqual(
      expect.arrayContaining(['pod-deleted', 'prestop-done', 'sigterm', 'pod-exited']),
    );
  });

  it('SIGKILLs the process group at the end of the grace period', async () => {
    const spec = testSpec({ gracePeriodMs: 600, env: { IGNORE_SIGTERM: '1' } });
    const pod = await startPod(spec);
    await pod.until(() => pod.kubelet.pod.probeReady);
    await pod.kubelet.delete();
    expect(pod.kubelet.pod.killed).toBe(true);
    expect(pod.kubelet.pod.exit?.signal).toBe('SIGKILL');
    expect((pod.at('sigkill') ?? 0) - (pod.at('pod-deleted') ?? 0)).toBeGreaterThanOrEqual(590);
  });

  it('restarts the container when liveness fails failureThreshold times', async () => {
    const spec = testSpec({
      env: { LIVEZ_FAILS: '1' },
      probes: { readiness: probe('/readyz'), liveness: probe('/livez', 100, { failureThreshold: 2 }) },
    });
    const pod = await startPod(spec);
    await pod.until(() => pod.kubelet.pod.restarts >= 1);
    expect(pod.kinds()).toContain('container-restarted');
    expect(pod.fatal).toEqual([]);
  });

  it('reports a container that exits before it is ready as fatal, with its telling line', async () => {
    const tag = uniqueTag();
    const pod = await startPod(testSpec(), [
      process.execPath,
      '-e',
      'console.error("Error: listen EADDRINUSE"); process.exit(3)',
      '--',
      `--tag=${tag}`,
    ]);
    await pod.until(() => pod.fatal.length > 0);
    expect(pod.fatal[0]?.message).toBe(
      'pod web-v1-1 exited (exit code 3) before it became ready: Error: listen EADDRINUSE',
    );
    expect(processesTagged(tag)).toEqual([]);
  });
});

describe('telling', () => {
  it('picks the error message out of a stack trace', () => {
    const crash = [
      'node:internal/errors:496',
      '    ErrorCaptureStackTrace(err);',
      '    ^',
      "Error: Cannot find module '/app/dist/server.js'",
      '    at Module._resolveFilename (node:internal/modules/cjs/loader:1140:15)',
      "  code: 'MODULE_NOT_FOUND',",
      '}',
      'Node.js v20.20.2',
    ];
    expect(telling(crash)).toBe("Error: Cannot find module '/app/dist/server.js'");
    expect(telling(['listening', 'bye'])).toBe('bye');
  });
});
