import { knownVariables } from '@lameduck/core';
import { containerEnvironment, ignoredVariables } from '../../kubernetes/env.js';
import { isLameduck } from '../cluster.js';
import { containerLabel, eachContainer, type Report, type Rule } from '../rule.js';

// The app reads its variables with core's parser and stops at the first value it refuses: a crash
// loop. The doctor asks the same parser and reports every such value with the app's own line.
export const envValueRefused: Rule = {
  id: 'env-value-refused',
  summary:
    "a LAMEDUCK_ variable or TERMINATION_GRACE_PERIOD_SECONDS the app refuses at startup (not a whole number, out of range, or a grace period that cannot hold the shutdown with LAMEDUCK_BUDGET=refuse), with the app's own message",
  severity: 'error',
  scope: 'lameduck containers',
  check(cluster) {
    return eachContainer(cluster, (container, workload) => {
      if (!isLameduck(container, workload)) return undefined;
      const inspection = containerEnvironment(container);
      const reports: Report[] = inspection.verdicts.flatMap((verdict) =>
        verdict.message === undefined
          ? []
          : [
              {
                subject: workload.object,
                message: verdict.message,
                fix: `correct ${verdict.variable} in ${containerLabel(container)}'s env: the app stops at startup with this line, so the pod restarts forever`,
              },
            ],
      );
      if (inspection.budgetRefusal !== undefined) {
        reports.push({
          subject: workload.object,
          message: inspection.budgetRefusal,
          fix: `raise TERMINATION_GRACE_PERIOD_SECONDS (and terminationGracePeriodSeconds) or lower the drain's numbers in ${containerLabel(container)}'s env, or drop LAMEDUCK_BUDGET=refuse to let the app fit its drain at startup`,
        });
      }
      return reports;
    });
  },
};

// An unknown name is ignored by the app without a word at deploy time: the setting meant is lost.
export const envVariableIgnored: Rule = {
  id: 'env-variable-ignored',
  summary: `an env name that looks meant for lameduck (LAMEDUCK_ in any case, or a letter or two from ${knownVariables().length} names it reads) but is not one it reads: ignored, with the closest known name`,
  severity: 'warning',
  scope: 'every container',
  check(cluster) {
    return eachContainer(cluster, (container, workload) =>
      ignoredVariables(container).map((unknown) => ({
        subject: workload.object,
        message: unknown.message,
        fix: `rename ${unknown.name} to ${unknown.closest} in ${containerLabel(container)}'s env`,
      })),
    );
  },
};
