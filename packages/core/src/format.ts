import type { CheckResult } from './checks.js';
import type { ProbeReport } from './probe.js';
import type { ProbeDetail } from './probe-detail.js';
import { sanitise } from './text.js';

const WITHHELD = 'reason withheld';
const MAX_REASON_LENGTH = 300;

/**
 * Text bodies in kube-apiserver's style. A passing probe answers `ok`; `?verbose`, or any
 * failure, lists one line per check and a summary line:
 *   [+]db ok
 *   [!]cache warn: reason withheld
 *   [-]queue failed: reason withheld
 *   readiness check failed
 */
export function formatText(
  report: ProbeReport,
  options: { verbose: boolean; exposeDetails: boolean; detail?: ProbeDetail },
): string {
  if (!options.verbose && report.status !== 'fail') return 'ok\n';
  const detail = options.detail ?? 'full';
  const outcome =
    report.status === 'fail' ? 'failed' : report.status === 'warn' ? 'passed with warnings' : 'passed';
  if (detail === 'status') return `${report.kind} check ${outcome}\n`;
  const full = detail === 'full';
  const lines: string[] = [];
  if (report.kind !== 'liveness') {
    // 'names' says whether the lifecycle lets the probe pass, not which state it is in.
    if (!full) lines.push(report.stateFailure === undefined ? '[+]lifecycle ok' : '[-]lifecycle failed');
    else {
      lines.push(
        report.stateFailure === undefined
          ? `[+]lifecycle ${report.state}`
          : `[-]lifecycle ${report.stateFailure}`,
      );
    }
  }
  for (const check of report.checks) {
    lines.push(full ? checkLine(check, options.exposeDetails) : nameLine(check));
  }
  for (const name of report.unknownExcludes) {
    lines.push(`warn: cannot exclude "${sanitise(name, 63)}": no ${report.kind} check by that name`);
  }
  lines.push(`${report.kind} check ${outcome}`);
  return `${lines.join('\n')}\n`;
}

function nameLine(check: CheckResult): string {
  if (check.status === 'pass') return `[+]${check.name} ok`;
  return check.status === 'warn' ? `[!]${check.name} warn` : `[-]${check.name} failed`;
}

function checkLine(check: CheckResult, exposeDetails: boolean): string {
  if (check.status === 'pass') return `[+]${check.name} ok`;
  const mark = check.status === 'warn' ? '[!]' : '[-]';
  const word = check.status === 'warn' ? 'warn' : 'failed';
  return `${mark}${check.name} ${word}: ${reason(check, exposeDetails)}`;
}

function reason(check: CheckResult, exposeDetails: boolean): string {
  return exposeDetails ? sanitise(check.error ?? 'failed', MAX_REASON_LENGTH) : WITHHELD;
}

/**
 * `application/health+json` (IETF draft "Health Check Response Format for HTTP APIs"):
 * `status` pass|warn|fail, `checks` keyed by check name, each an array of one object with
 * status, time (ISO 8601), duration in ms (as `observedValue` and `durationMs`) and output.
 */
export function formatJson(
  report: ProbeReport,
  exposeDetails: boolean,
  detail: ProbeDetail = 'full',
): string {
  const description = `${report.kind} probe`;
  if (detail === 'status') return JSON.stringify({ status: report.status, description });
  const checks: Record<string, unknown[]> = {};
  const notes = report.unknownExcludes.map(
    (name) => `cannot exclude "${sanitise(name, 63)}": no ${report.kind} check by that name`,
  );
  if (detail === 'names') {
    for (const check of report.checks)
      checks[check.name] = [{ componentId: check.name, status: check.status }];
    return JSON.stringify({
      status: report.status,
      description,
      ...(notes.length > 0 ? { notes } : {}),
      checks,
    });
  }
  for (const check of report.checks) {
    checks[check.name] = [
      {
        componentId: check.name,
        status: check.status,
        time: new Date(check.startedAt).toISOString(),
        durationMs: check.durationMs,
        observedValue: check.durationMs,
        observedUnit: 'ms',
        critical: check.critical,
        cached: check.cached,
        ...(check.status === 'pass' ? {} : { output: reason(check, exposeDetails) }),
        ...(exposeDetails && check.details !== undefined ? { details: check.details } : {}),
      },
    ];
  }
  return JSON.stringify({
    status: report.status,
    description,
    state: report.state,
    ...(report.stateFailure === undefined ? {} : { output: report.stateFailure }),
    ...(notes.length > 0 ? { notes } : {}),
    checks,
  });
}
