import { programName, shellScript } from '../../kubernetes/workload.js';
import { isLameduck } from '../cluster.js';
import { containerLabel, eachContainer, excerpt, type Rule } from '../rule.js';

const PACKAGE_MANAGERS = new Set(['npm', 'npx', 'yarn', 'pnpm']);

/** The script's last command replaces the shell (`…; exec /bin/app`), so the app is PID 1 by then. */
function endsInExec(script: string): boolean {
  const statements = script
    .split(/\n|;|&&|\|\|/)
    .map((statement) => statement.trim())
    .filter((statement) => statement !== '' && !statement.startsWith('#'));
  return /^exec\s/.test(statements.at(-1) ?? '');
}

/**
 * The process that gets SIGTERM is PID 1. If that is npm or a shell, the app may never hear of it
 * (a shell as PID 1 ignores SIGTERM and does not pass it on; npm forwards it but may exit first),
 * and the pod ends by SIGKILL at the grace period with no drain at all.
 */
export const signalsNotForwarded: Rule = {
  id: 'signals-not-forwarded',
  summary:
    'the container starts through npm/yarn/pnpm or sh -c without exec: SIGTERM may never reach the app',
  severity: 'warning',
  scope: 'every container',
  check(cluster) {
    return eachContainer(cluster, (container, workload) => {
      // Without `command`, args go to the image's entrypoint, which commonly runs them as given.
      const argv = container.command ?? container.args;
      if (!argv || argv.length === 0) return undefined;
      const program = programName(argv);
      const script = shellScript(argv);
      let how: string;
      if (PACKAGE_MANAGERS.has(program)) how = `through "${excerpt(argv.join(' '))}"`;
      else if (script !== undefined && !endsInExec(script))
        how = `through ${program} -c ${JSON.stringify(excerpt(script))}`;
      else return undefined;
      const app = isLameduck(container, workload) ? 'node' : 'the app';
      return {
        subject: workload.object,
        message: `${containerLabel(container)} starts ${how}: SIGTERM goes to ${program}, not reliably to ${app}, so ${app === 'node' ? 'the drain' : 'its shutdown'} may never start and SIGKILL ends the pod`,
        fix:
          app === 'node'
            ? "run node directly, e.g. command: [node, dist/server.js] (or `exec node …` as the script's last command)"
            : 'run the app directly as the command, or end the script with `exec <app> …`',
      };
    });
  },
};
