import { alignColumns } from './columns.js';
import { GAP_OFFSETS_MS, type IdleClose, type IdleRaceResult, RACE_PROFILES } from './idle-race.js';
import { TRY_FAILURES } from './nginx-log.js';

const number = (value: number) => value.toLocaleString('en-US');

function describeClose(close: IdleClose): string {
  const hint = close.hintS === undefined ? 'no Keep-Alive header' : `Keep-Alive: timeout=${close.hintS}`;
  return close.closedAfterMs === undefined
    ? `still open after ${number(close.capMs)} ms (${hint})`
    : `${number(close.closedAfterMs)} ms (${hint})`;
}

/** The scenario's header, one column per pod and a block of rows per nginx profile, and the verdicts. */
export function formatIdleRace(result: IdleRaceResult): string {
  const lines = [
    `lameduck drill --scenario idle-race: no rollout; one pod behind nginx, bursts of ${result.burst} requests (half POST) on pooled connections, each burst a gap after the previous one ended`,
    'idle close, measured on the pod (one request on a raw socket, then silence, until its FIN):',
    ...result.pods.map((pod) => `  ${pod.role} (${pod.label}): ${describeClose(pod.idleClose)}`),
    `gaps: ${result.gapsMs.map(number).join(', ')} ms (the first pod's idle close ${GAP_OFFSETS_MS[0]} … +${GAP_OFFSETS_MS.at(-1)} ms)`,
    '',
  ];
  const rows: string[][] = [['', ...result.pods.map((pod) => `${pod.role} (${pod.label})`)]];
  for (const profile of RACE_PROFILES) {
    const cells = result.pods.map((pod) =>
      result.cells.find((cell) => cell.pod === pod.label && cell.profile === profile.name),
    );
    rows.push([profile.label, ...cells.map(() => '')]);
    rows.push([
      '  failed',
      ...cells.map((cell) => {
        if (!cell) return '-';
        const kinds = Object.entries(cell.failedByKind)
          .map(([kind, count]) => `${count} ${kind}`)
          .join(', ');
        return `${cell.failed} of ${cell.requests}${kinds ? ` (${kinds})` : ''}`;
      }),
    ]);
    rows.push([
      '  failed, by gap offset (ms)',
      ...cells.map((cell) =>
        cell
          ? Object.entries(cell.failedByOffset)
              .filter(([, count]) => count > 0)
              .map(([offset, count]) => `${offset}: ${count}`)
              .join(', ') || 'none'
          : '-',
      ),
    ]);
    rows.push([
      '  masked (nginx retried, 2xx)',
      ...cells.map((cell) => {
        if (!cell) return '-';
        const causes = TRY_FAILURES.filter((cause) => cell.ingress.maskedByCause[cause] > 0)
          .map((cause) => `${cell.ingress.maskedByCause[cause]} ${cause}`)
          .join(', ');
        return `${cell.ingress.masked}${causes ? ` (${causes})` : ''}`;
      }),
    ]);
  }
  lines.push(...alignColumns(rows));
  lines.push('');
  for (const pod of result.pods) {
    const cells = result.cells.filter((cell) => cell.pod === pod.label);
    const failed = cells.reduce((sum, cell) => sum + cell.failed, 0);
    const requests = cells.reduce((sum, cell) => sum + cell.requests, 0);
    lines.push(`${pod.role}: ${failed} of ${requests} requests failed behind nginx`);
  }
  return lines.join('\n');
}
