import type { DisruptionBudget } from './disruption-budget.js';
import { type NodeDrainOptions, type NodeDrainResult, runNodeDrain } from './node-drain.js';
import type { DrillEvent } from './timeline.js';
import { allOrFirstError } from './together.js';

/** The two runs of `--scenario node-drain`, side by side: the same pods, with and without a budget. */
export const DRAIN_RUNS: readonly { label: string; tag: string; budget: DisruptionBudget | undefined }[] = [
  { label: 'no PDB', tag: 'nopdb', budget: undefined },
  { label: 'PDB maxUnavailable 1', tag: 'pdb', budget: { maxUnavailable: 1 } },
];

type Shared = Omit<NodeDrainOptions, 'label' | 'tag' | 'budget'>;

/**
 * Both runs, at once or one after the other. At once, the first that fails stops the other, and
 * the error reported is that first one, after both have cleaned up.
 */
export async function runDrains(
  shared: Shared,
  parallel: boolean,
  signal: AbortSignal,
  onRun: (label: string, index: number) => void = () => {},
  onEvent?: (label: string) => (event: DrillEvent) => void,
): Promise<NodeDrainResult[]> {
  const options = DRAIN_RUNS.map((run) => ({
    ...shared,
    ...run,
    ...(onEvent ? { onEvent: onEvent(run.label) } : {}),
  }));
  if (!parallel) {
    const results: NodeDrainResult[] = [];
    for (const [index, run] of options.entries()) {
      onRun(run.label, index);
      results.push(await runNodeDrain({ ...run, signal }));
    }
    return results;
  }
  return allOrFirstError(options, (run, stop) => runNodeDrain({ ...run, signal: stop }), signal);
}
