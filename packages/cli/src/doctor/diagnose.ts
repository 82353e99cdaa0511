import type { KubeObject } from '../kubernetes/manifest.js';
import { toCluster } from './cluster.js';
import { escapeControl } from './escape.js';
import type { Finding, Rule } from './rule.js';
import { rules as allRules } from './rules/index.js';
import { suppression } from './suppress.js';

/**
 * Runs every rule over all the objects together (a PDB in one file covers a Deployment in
 * another) and returns the findings ordered by object, in file order, then by rule. A finding
 * whose object's `lameduck.dev/doctor-skip` annotation names its rule is kept, marked suppressed.
 */
export function diagnose(objects: readonly KubeObject[], rules: readonly Rule[] = allRules): Finding[] {
  const cluster = toCluster(objects);
  const found = rules.flatMap((rule, ruleIndex) =>
    rule.check(cluster).map((report) => ({
      order: [cluster.index.position(report.subject), ruleIndex],
      finding: {
        file: report.subject.file,
        ...(report.subject.line === undefined
          ? {}
          : { line: report.subject.line, column: report.subject.column ?? 1 }),
        kind: report.subject.kind,
        name: report.subject.name,
        rule: rule.id,
        severity: report.severity ?? rule.severity,
        message: report.message,
        fix: report.fix,
        ...withSuppression(report.subject, rule.id),
      } satisfies Finding,
    })),
  );
  found.sort((a, b) => (a.order[0] ?? 0) - (b.order[0] ?? 0) || (a.order[1] ?? 0) - (b.order[1] ?? 0));
  return found.map(({ finding }) => finding);
}

function withSuppression(object: KubeObject, rule: string): Pick<Finding, 'suppressed'> {
  const suppressed = suppression(object, rule);
  return suppressed ? { suppressed } : {};
}

/**
 * `file:line:column: severity: Kind/name: rule: what is wrong — what to change`, on one line (a
 * file that could not be checked has no Kind/name; standard input and missing files no line).
 */
export function formatFinding(finding: Finding): string {
  const file = escapeControl(finding.file);
  const where = finding.line === undefined ? file : `${file}:${finding.line}:${finding.column ?? 1}`;
  const subject =
    finding.kind === 'File' ? '' : `${escapeControl(finding.kind)}/${escapeControl(finding.name)}: `;
  // The message and fix are ours, wrapped at times; the names and values in them are the files'.
  const text = `${finding.message} — ${finding.fix}`.replace(/[ \t]*\n[ \t]*/g, ' ');
  return `${where}: ${finding.severity}: ${subject}${finding.rule}: ${escapeControl(text)}`;
}
