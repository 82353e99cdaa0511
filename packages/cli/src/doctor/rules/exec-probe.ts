import { containerLabel, eachContainer, type Rule } from '../rule.js';
import { PROBE_KINDS, programName } from '../workload.js';

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

export const execProbeShellTool: Rule = {
  id: 'exec-probe-shell-tool',
  summary: 'an exec probe runs curl, wget, cat or a shell: distroless images have none of them',
  check(cluster) {
    return eachContainer(cluster, (container, workload) =>
      PROBE_KINDS.flatMap((kind) => {
        const handler = container.probes[kind]?.handler;
        if (handler?.type !== 'exec' || !ABSENT_IN_DISTROLESS.has(programName(handler.command))) return [];
        const url =
          handler.command.join(' ').match(/https?:\/\/[^\s'"]+/)?.[0] ?? 'http://127.0.0.1:8080/livez';
        return [
          {
            subject: workload.object,
            message: `${containerLabel(container)} ${kind} runs exec ${JSON.stringify(handler.command)}: distroless images have no ${programName(handler.command)}, so the probe always fails`,
            fix: `use httpGet, or exec lameduck-probe, which needs only node: [/nodejs/bin/node, /app/node_modules/@lameduck/core/dist/bin/probe.js, ${url}]`,
          },
        ];
      }),
    );
  },
};
