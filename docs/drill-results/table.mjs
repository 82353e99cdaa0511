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

if (import.meta.url === `file://${process.argv[1]}`) console.log(recordedTable());
