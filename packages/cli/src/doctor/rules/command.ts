import { containerLabel, eachContainer, type Rule } from '../rule.js';
import { programName, shellScript } from '../workload.js';

const PACKAGE_MANAGERS = new Set(['npm', 'npx', 'yarn', 'pnpm']);

/**
 * The process that gets SIGTERM is PID 1. If that is npm or a shell, node may never hear of it
 * (a shell as PID 1 ignores SIGTERM and does not pass it on; npm forwards it but may exit first),
 * and the pod ends by SIGKILL at the grace period with no drain at all.
 */
export const signalsNotForwarded: Rule = {
  id: 'signals-not-forwarded',
  summary: 'the container starts through npm/yarn/pnpm or sh -c: SIGTERM may never reach node',
  check(cluster) {
    return eachContainer(cluster, (container, workload) => {
      // Without `command`, args go to the image's entrypoint, which commonly runs them as given.
      const argv = container.command ?? container.args;
      if (!argv || argv.length === 0) return undefined;
      const program = programName(argv);
      const script = shellScript(argv);
      let how: string;
      if (PACKAGE_MANAGERS.has(program)) how = `through "${argv.join(' ')}"`;
      else if (script !== undefined && !/^\s*exec\s/.test(script))
        how = `through ${program} -c ${JSON.stringify(script)}`;
      else return undefined;
      return {
        subject: workload.object,
        message: `${containerLabel(container)} starts ${how}: SIGTERM goes to ${program}, not reliably to node, so the drain may never start and SIGKILL ends the pod`,
        fix: 'run node directly, e.g. command: [node, dist/server.js] (or `exec node …` inside the script)',
      };
    });
  },
};
