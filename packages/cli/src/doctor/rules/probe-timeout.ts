import {
  DEFAULT_CHECK_TIMEOUT_MS,
  DEFAULT_PROBE_COMMAND_TIMEOUT_MS,
  ENV,
  KUBERNETES_DEFAULTS,
} from '../../kubernetes/defaults.js';
import { envMs } from '../../kubernetes/env.js';
import { type Handler, PROBE_KINDS, type Probe } from '../../kubernetes/workload.js';
import { isLameduck } from '../cluster.js';
import { containerLabel, eachLongRunningContainer, type Rule } from '../rule.js';

/** An exec of lameduck-probe: `[node, …/dist/bin/probe.js, url, --timeout, 800]` or `[lameduck-probe, url]`. */
export function probeCommandTimeoutMs(handler: Handler): number | undefined {
  if (handler.type !== 'exec') return undefined;
  const { command } = handler;
  if (!command.some((arg) => /(?:^|\/)lameduck-probe$|@lameduck\/core\/dist\/bin\/probe\.js$/.test(arg))) {
    return undefined;
  }
  const flag = command.findIndex((arg) => arg === '--timeout' || arg.startsWith('--timeout='));
  if (flag === -1) return DEFAULT_PROBE_COMMAND_TIMEOUT_MS;
  const value = Number(command[flag]?.includes('=') ? command[flag]?.split('=')[1] : command[flag + 1]);
  return Number.isFinite(value) ? value : DEFAULT_PROBE_COMMAND_TIMEOUT_MS;
}

/** How long a probe waits for lameduck's answer, or undefined when it does not ask lameduck. */
function waitMs(probe: Probe): { ms: number; how: string; byCommand: boolean } | undefined {
  const timeoutSeconds = probe.timeoutSeconds ?? KUBERNETES_DEFAULTS.timeoutSeconds;
  const kubelet = {
    ms: timeoutSeconds * 1000,
    how: `timeoutSeconds ${timeoutSeconds}${probe.timeoutSeconds === undefined ? ', the default' : ''}`,
    byCommand: false,
  };
  if (probe.handler.type === 'httpGet' || probe.handler.type === 'grpc') return kubelet;
  const commandMs = probeCommandTimeoutMs(probe.handler);
  if (commandMs === undefined) return undefined;
  return commandMs < kubelet.ms
    ? { ms: commandMs, how: `lameduck-probe --timeout ${commandMs}`, byCommand: true }
    : kubelet;
}

// A lameduck check gives up at its timeout (LAMEDUCK_CHECK_TIMEOUT_MS, default 500 ms) and the probe then
// answers 503 with the reason. If the kubelet gives up first, the probe fails with no reason at all.
export const probeTimeoutTooShort: Rule = {
  id: 'probe-timeout-too-short',
  summary: `a probe's timeoutSeconds (default 1 s) is not above ${ENV.checkTimeout} (default 500 ms)`,
  severity: 'warning',
  scope: 'lameduck containers',
  check(cluster) {
    return eachLongRunningContainer(cluster, (container, workload) => {
      if (!isLameduck(container, workload)) return undefined;
      const read = envMs(container, ENV.checkTimeout);
      const written = read.state === 'set' ? read.ms : undefined;
      const checkMs = written ?? DEFAULT_CHECK_TIMEOUT_MS;
      const short = PROBE_KINDS.flatMap((kind) => {
        const probe = container.probes[kind];
        const wait = probe && waitMs(probe);
        return wait && wait.ms <= checkMs ? [{ kind, ...wait }] : [];
      });
      if (short.length === 0) return undefined;
      const probes = short.map(({ kind, how }) => `${kind} (${how})`).join(', ');
      const fixes = [
        ...(short.some((wait) => !wait.byCommand)
          ? [`set timeoutSeconds: ${Math.floor(checkMs / 1000) + 1} or more`]
          : []),
        ...(short.some((wait) => wait.byCommand)
          ? [`set lameduck-probe --timeout above ${checkMs} (and below timeoutSeconds)`]
          : []),
      ];
      return {
        subject: workload.object,
        message: `${containerLabel(container)} ${probes} ${short.length === 1 ? 'gives' : 'give'} up no later than the health checks' ${ENV.checkTimeout} ${checkMs}${written === undefined ? ' (default)' : ''}: a slow check fails the probe with no reason instead of a 503 that names the check`,
        fix: `${fixes.join(', and ')}, or lower ${ENV.checkTimeout}`,
      };
    });
  },
};
