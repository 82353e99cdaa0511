// The figures the docs quote, computed from the recorded runs beside this file (kernel.json,
// userspace.json: five `pnpm drill` each). A test checks that every doc quoting them has this
// table verbatim: print it with `node docs/drill-results/table.mjs`.
import { readFileSync } from 'node:fs';

const MODES = [
  ['naive', 'naive'],
  ['naive-prestop', 'naive + preStop'],
  ['lameduck', 'lameduck'],
];

export function recorded(network) {
  return JSON.parse(readFileSync(new URL(`./${network}.json`, import.meta.url), 'utf8'));
}

const number = (value) => value.toLocaleString('en-US');
const range = (values) => {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? number(low) : `${number(low)}–${number(high)}`;
};

/** One row per network: each mode's failed requests and requests, as ranges over the recorded runs. */
export function recordedTable() {
  const rows = ['| network | runs | naive | naive + preStop | lameduck |', '| --- | --- | --- | --- | --- |'];
  for (const network of ['userspace', 'kernel']) {
    const { sets } = recorded(network);
    const cells = MODES.map(([mode]) => {
      const runs = sets.map((set) => set.find((run) => run.mode === mode));
      return `${range(runs.map((run) => run.failed))} of ${range(runs.map((run) => run.requests))} failed`;
    });
    rows.push(`| ${network} | ${sets.length} | ${cells.join(' | ')} |`);
  }
  return rows.join('\n');
}

/** The node-drain runs (node-drain.json: five `pnpm drill --scenario node-drain` per network). */
export function recordedNodeDrain() {
  return JSON.parse(readFileSync(new URL('./node-drain.json', import.meta.url), 'utf8'));
}

const secondsRange = (values) => {
  const low = (Math.min(...values) / 1000).toFixed(1);
  const high = (Math.max(...values) / 1000).toFixed(1);
  return low === high ? low : `${low}–${high}`;
};

/**
 * One row per network: each run's failed requests, the fewest ready endpoints, the time with none
 * and the drain's duration, as ranges over the recorded runs.
 */
export function nodeDrainTable() {
  const { networks } = recordedNodeDrain();
  const labels = networks.kernel.sets[0].map((run) => run.label);
  const rows = [
    `| network | runs | ${labels.join(' | ')} |`,
    `| --- | --- | ${labels.map(() => '---').join(' | ')} |`,
  ];
  for (const network of ['userspace', 'kernel']) {
    const { sets } = networks[network];
    const cells = labels.map((label) => {
      const runs = sets.map((set) => set.find((run) => run.label === label));
      const zero = runs.map((run) => run.zeroReadyMs);
      return [
        `${range(runs.map((run) => run.failed))} of ${range(runs.map((run) => run.requests))} failed`,
        `fewest ready ${range(runs.map((run) => run.fewestReady))} of 3`,
        Math.max(...zero) === 0 ? 'never 0 ready' : `0 ready for ${secondsRange(zero)} s`,
        `drain ${secondsRange(runs.map((run) => run.drainMs))} s`,
      ].join(', ');
    });
    rows.push(`| ${network} | ${sets.length} | ${cells.join(' | ')} |`);
  }
  return rows.join('\n');
}

/**
 * An `--ingress nginx` series, counted over all its runs: each mode's, side by side. nginx.json:
 * ten `pnpm drill --ingress nginx`; nginx-slow.json and nginx-slow-before.json: the ingress slower
 * than the pause (`--lag-ms 3000-5000`), with and without lameduck's quiet window.
 */
export function nginxTable(name = 'nginx') {
  const { sets } = recorded(name);
  const runsOf = (mode) => sets.map((set) => set.find((run) => run.mode === mode));
  const sum = (runs, pick) => {
    const counts = {};
    for (const run of runs)
      for (const [key, count] of Object.entries(pick(run) ?? {})) counts[key] = (counts[key] ?? 0) + count;
    return (
      Object.entries(counts)
        .filter(([, count]) => count > 0)
        .map(([key, count]) => `${number(count)} ${key}`)
        .join(', ') || 'none'
    );
  };
  const rows = [
    `| behind nginx (${sets.length} runs) | ${MODES.map(([, label]) => label).join(' | ')} |`,
    `| --- | ${MODES.map(() => '---').join(' | ')} |`,
  ];
  const row = (label, cell) =>
    rows.push(`| ${label} | ${MODES.map(([mode]) => cell(runsOf(mode))).join(' | ')} |`);
  row(
    'deleted pod still used by nginx',
    (runs) => `${secondsRange(runs.flatMap((run) => run.ingressLagMs))} s`,
  );
  row(
    'failed',
    (runs) => `${range(runs.map((run) => run.failed))} of ${range(runs.map((run) => run.requests))}`,
  );
  row('runs with 0 failed', (runs) => `${runs.filter((run) => run.failed === 0).length} of ${runs.length}`);
  row('failed, by class (all runs)', (runs) => sum(runs, (run) => run.failedByKind));
  row('masked: nginx retried, 2xx', (runs) => range(runs.map((run) => run.ingress.masked)));
  row('masked, by cause (all runs)', (runs) => sum(runs, (run) => run.ingress.maskedByCause));
  row("nginx's own 502/503/504, by cause (all runs)", (runs) =>
    sum(runs, (run) => run.ingress.proxyFailedByCause),
  );
  return rows.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`)
  console.log(`${recordedTable()}\n\n${nodeDrainTable()}\n\n${nginxTable()}`);
