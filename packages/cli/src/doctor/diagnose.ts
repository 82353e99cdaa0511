import { toCluster } from './cluster.js';
import type { KubeObject } from './manifest.js';
import type { Finding, Rule } from './rule.js';
import { rules as allRules } from './rules/index.js';

/**
 * Runs every rule over all the objects together (a PDB in one file covers a Deployment in
 * another) and returns the findings ordered by object, in file order, then by rule.
 */
export function diagnose(objects: readonly KubeObject[], rules: readonly Rule[] = allRules): Finding[] {
  const cluster = toCluster(objects);
  const found = rules.flatMap((rule, ruleIndex) =>
    rule.check(cluster).map((report) => ({
      order: [objects.indexOf(report.subject), ruleIndex],
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
      } satisfies Finding,
    })),
  );
  found.sort((a, b) => (a.order[0] ?? 0) - (b.order[0] ?? 0) || (a.order[1] ?? 0) - (b.order[1] ?? 0));
  return found.map(({ finding }) => finding);
}

/**
 * `file: Kind/name: rule: what is wrong — what to change`, on one line; a file that could not be
 * checked: `file:line:column: rule: what is wrong — what to do`.
 */
export function formatFinding(finding: Finding): string {
  const subject =
    finding.kind === 'File'
      ? `${finding.file}${finding.line === undefined ? '' : `:${finding.line}:${finding.column ?? 1}`}`
      : `${finding.file}: ${finding.kind}/${finding.name}`;
  const line = `${subject}: ${finding.rule}: ${finding.message} — ${finding.fix}`;
  return line.replace(/\s*\n\s*/g, ' ');
}
