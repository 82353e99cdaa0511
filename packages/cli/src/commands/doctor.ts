import { diagnose, formatFinding } from '../doctor/diagnose.js';
import { escapeControl, escapeJsonLineBreaks } from '../doctor/escape.js';
import { INPUT_RULES, loadInputs } from '../doctor/inputs.js';
import { atLeast, type Finding, SEVERITIES, type Severity } from '../doctor/rule.js';
import { rules } from '../doctor/rules/index.js';
import { toSarif } from '../doctor/sarif.js';
import { SKIP_ANNOTATION, SKIP_REASON_ANNOTATION } from '../doctor/suppress.js';
import { plural } from '../kubernetes/values.js';
import { toWorkload } from '../kubernetes/workload.js';
import { type Command, EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE, UsageError } from './command.js';
import { readCommandLine } from './command-line.js';

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];
const USAGE =
  'lameduck doctor [--format text|json|sarif] [--fail-on error|warning|info] [--disable rule] <file|dir...>';

interface DoctorArgs {
  files: string[];
  format: Format;
  failOn: Severity;
  disabled: Set<string>;
  help: boolean;
}

const KNOWN_IDS = new Set([...rules.map((rule) => rule.id), ...Object.values(INPUT_RULES)]);

const OPTIONS = {
  json: { type: 'boolean' },
  format: { type: 'string' },
  'fail-on': { type: 'string' },
  disable: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

function readArgs(args: readonly string[]): DoctorArgs {
  const { values, positionals, rest } = readCommandLine('doctor', args, OPTIONS);
  const format = (values.json ? 'json' : (values.format ?? 'text')) as Format;
  if (!FORMATS.includes(format)) throw new UsageError(`--format ${format}: use text, json or sarif`);
  if (values.json && values.format !== undefined && values.format !== 'json')
    throw new UsageError(`--json and --format ${values.format} contradict each other`);
  const failOn = (values['fail-on'] ?? 'warning') as Severity;
  if (!SEVERITIES.includes(failOn)) throw new UsageError(`--fail-on ${failOn}: use error, warning or info`);
  const disabled = new Set(
    (values.disable ?? []).flatMap((list) => list.split(',').map((id) => id.trim())).filter(Boolean),
  );
  for (const id of disabled) {
    if (!KNOWN_IDS.has(id))
      throw new UsageError(`--disable ${id}: no such rule (see lameduck doctor --help)`);
  }
  return { files: [...positionals, ...(rest ?? [])], format, failOn, disabled, help: values.help ?? false };
}

function summary(findings: readonly Finding[], objects: number, files: number, note: string): string {
  const shown = findings.filter((finding) => !finding.suppressed);
  const suppressed = findings.length - shown.length;
  const counts = SEVERITIES.map(
    (severity) => [severity, shown.filter((f) => f.severity === severity).length] as const,
  )
    .filter(([, count]) => count > 0)
    .map(([severity, count]) => `${count} ${severity}`);
  const checked = `${plural(objects, 'object')} in ${plural(files, 'file')}${note}${suppressed > 0 ? `; ${suppressed} suppressed` : ''}`;
  return shown.length === 0
    ? `lameduck doctor: no findings (${checked})`
    : `lameduck doctor: ${plural(shown.length, 'finding')}: ${counts.join(', ')} (${checked})`;
}

export const doctor: Command = {
  name: 'doctor',
  summary: 'check Kubernetes manifests for the mistakes that drop requests during a rollout',
  help() {
    const width = Math.max(...rules.map((rule) => rule.id.length));
    return `usage: ${USAGE}
Reads Kubernetes YAML (multi-document, or kind: List; a directory: its *.yaml and *.yml files;
- reads standard input, for example helm template … | lameduck doctor -) and checks every
Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob and Pod
against the rules below, matching Services, PodDisruptionBudgets and autoscalers across all the
files given. The traffic rules apply to pods a Service selects and the containers it targets.
A file it cannot check (bad YAML, a Helm template, a kustomization, binary) is reported, and the
others are checked.
Prints one line per finding: file:line:column: severity: Kind/name: rule: what is wrong — what to change.

Options:
  --format text|json|sarif  text (default); json: an array of {file, line, column, kind, name,
                            rule, severity, message, fix, suppressed?}; sarif: SARIF 2.1.0
  --json                    the same as --format json
  --fail-on error|warning|info
                            the least severity that makes the exit status 1 (default warning)
  --disable rule            skip a rule (repeat, or comma-separate)
  -h, --help                show this help

Per object, the annotation ${SKIP_ANNOTATION}: "rule,rule" skips those rules for it, and
${SKIP_REASON_ANNOTATION}: "why" is shown with each skipped finding in json and sarif.

Exit status: 0 nothing at or above --fail-on, 1 findings at or above it, 2 nothing could be checked
or a wrong command line.

Rules (severity):
${rules.map((rule) => `  ${rule.id.padEnd(width)}  ${rule.severity.padEnd(7)}  ${rule.summary}`).join('\n')}
`;
  },
  async run(args, io) {
    const { files, format, failOn, disabled, help } = readArgs(args);
    if (help) {
      io.stdout(doctor.help());
      return EXIT_OK;
    }
    if (files.length === 0) throw new UsageError(`no files given (usage: ${USAGE})`);
    if (files.filter((file) => file === '-').length > 1)
      throw new UsageError('standard input (-) can be read once');
    const inputs = await loadInputs(files, { readStdin: io.readStdin });
    const { objects } = inputs;
    const active = rules.filter((rule) => !disabled.has(rule.id));
    const findings = [
      ...inputs.problems.filter((problem) => !disabled.has(problem.rule)),
      ...diagnose(objects, active),
    ];
    // Nothing at all could be checked: every file was missing, unreadable or a template.
    const unusable = objects.length === 0;
    if (format === 'json') {
      io.stdout(`${escapeJsonLineBreaks(JSON.stringify(findings, null, 2))}\n`);
    } else if (format === 'sarif') {
      io.stdout(`${escapeJsonLineBreaks(JSON.stringify(toSarif(findings, active), null, 2))}\n`);
    } else {
      for (const finding of findings) if (!finding.suppressed) io.stdout(`${formatFinding(finding)}\n`);
      const workloads = objects.filter((object) => toWorkload(object) !== undefined).length;
      const note = workloads === 0 && objects.length > 0 ? '; no workload among them' : '';
      io.stderr(
        unusable
          ? `lameduck doctor: nothing could be checked in ${escapeControl(files.join(', '))}\n`
          : `${summary(findings, objects.length, inputs.files, note)}\n`,
      );
    }
    if (unusable) return EXIT_UNUSABLE;
    const failing = findings.some((finding) => !finding.suppressed && atLeast(finding.severity, failOn));
    return failing ? EXIT_FINDINGS : EXIT_OK;
  },
};
