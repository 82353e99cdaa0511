import { preStopPause } from '../../kubernetes/shutdown.js';
import {
  type Container,
  type Handler,
  looksDistroless,
  PROBE_KINDS,
  programName,
} from '../../kubernetes/workload.js';
import { isLameduck } from '../cluster.js';
import { containerLabel, eachContainer, excerpt, type Rule } from '../rule.js';

/** Programs an exec probe often runs that distroless (and most minimal) images do not contain. */
const ABSENT_IN_DISTROLESS = new Set([
  'curl',
  'wget',
  'cat',
  'sh',
  'bash',
  'ash',
  'dash',
  'nc',
  'grep',
  'test',
]);

/** The exec handlers to look at: every probe, and a preStop that is not a plain sleep (prestop-exec-sleep has those). */
function execHandlers(container: Container): { where: string; command: string[] }[] {
  const found = PROBE_KINDS.flatMap((kind): { where: string; command: string[] }[] => {
    const handler: Handler | undefined = container.probes[kind]?.handler;
    return handler?.type === 'exec' ? [{ where: kind, command: handler.command }] : [];
  });
  if (container.preStop?.type === 'exec' && preStopPause(container)?.how !== 'exec-sleep') {
    found.push({ where: 'preStop', command: container.preStop.command });
  }
  return found;
}

export const execProbeShellTool: Rule = {
  id: 'exec-probe-shell-tool',
  summary:
    'an exec probe or preStop runs curl, wget, cat or a shell: distroless images have none of them (warning where the image looks distroless)',
  severity: 'info',
  scope: 'every container',
  check(cluster) {
    return eachContainer(cluster, (container, workload) =>
      execHandlers(container).flatMap(({ where, command }) => {
        if (!ABSENT_IN_DISTROLESS.has(programName(command))) return [];
        const distroless = looksDistroless(container);
        const url = command.join(' ').match(/https?:\/\/[^\s'"]+/)?.[0] ?? 'http://127.0.0.1:8080/livez';
        const alternative = isLameduck(container, workload)
          ? `use httpGet, or exec lameduck-probe, which needs only node: [/nodejs/bin/node, /app/node_modules/@lameduck/core/dist/bin/probe.js, ${url}]`
          : 'use httpGet, tcpSocket or grpc, which need nothing in the image';
        return [
          {
            subject: workload.object,
            severity: distroless ? 'warning' : 'info',
            message: `${containerLabel(container)} ${where} runs exec ${JSON.stringify(excerpt(command.join(' ')))}: ${distroless ? `the image looks distroless, and distroless images have no ${programName(command)}, so it always fails` : `fine while the image ships ${programName(command)}; a distroless image has none, and it would always fail`}`,
            fix:
              where === 'preStop'
                ? `keep a preStop that needs nothing in the image (sleep, httpGet)`
                : alternative,
          },
        ];
      }),
    );
  },
};
