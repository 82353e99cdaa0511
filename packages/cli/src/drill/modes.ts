/**
 * What runs in a drill's pods, and under which manifest.
 * - naive: baselines/naive-server.mjs (shipped with the CLI) (server.close() on SIGTERM) with the preStop hook removed:
 *   no pause anywhere.
 * - naive-prestop: the same server under the manifest as written, preStop sleep included: what a
 *   well-tuned manifest gives without lameduck.
 * - lameduck: a lameduck demo under its manifest.
 * - service: the start command given after `--`, under its manifest (whatever it is built with).
 */
export type Mode = 'naive' | 'naive-prestop' | 'lameduck' | 'service';

/** How each mode is shown in the table, the verdicts and the report. */
export const MODE_LABELS: Record<Mode, string> = {
  naive: 'naive',
  'naive-prestop': 'naive + preStop',
  lameduck: 'lameduck',
  service: 'service',
};

/** The runs `--mode` can ask for: the two baselines and the service under test. */
export const MODE_CHOICES = ['naive', 'naive-prestop', 'lameduck'] as const;
export type ModeChoice = (typeof MODE_CHOICES)[number];

/** The service under test (lameduck, or the command after `--`), as opposed to a baseline. */
export function isUnderTest(mode: Mode): boolean {
  return mode === 'lameduck' || mode === 'service';
}
