import { diagnose, formatFinding } from '../doctor/diagnose.js';
import { loadInputs } from '../doctor/inputs.js';
import { rules } from '../doctor/rules/index.js';
import { plural } from '../doctor/values.js';
import { toWorkload } from '../doctor/workload.js';
import { type Command, EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE, UsageError } from './command.js';

interface DoctorArgs {
  files: string[];
  json: boolean;
  help: boolean;
}

function parseArgs(args: readonly string[]): DoctorArgs {
  const parsed: DoctorArgs = { files: [], json: false, help: false };
  let optionsEnded = false;
  for (const arg of args) {
    if (optionsEnded || arg === '-' || !arg.startsWith('-')) parsed.files.push(arg);
    else if (arg === '--') optionsEnded = true;
    else if (arg === '--json') parsed.json = true;
    else if (arg === '-h' || arg === '--help') parsed.help = true;
    else throw new UsageError(`unknown option ${arg} (see lameduck doctor --help)`);
  }
  return parsed;
}

export const doctor: Command = {
  name: 'doctor',
  summary: 'check Kubernetes manifests for the mistakes that drop requests during a rollout',
  help() {
    const width = Math.max(...rules.map((rule) => rule.id.length));
    return `usage: lameduck doctor [--json] <file...>

Reads Kubernetes YAML (multi-document, or kind: List; - reads standard input, for example
helm template … | lameduck doctor -) and checks every Deployment and StatefulSet
against the rules below, matching Services and PodDisruptionBudgets across all the files given.
Prints one line per finding: file: Kind/name: rule: what is wrong — what to change.

Options:
  --json      print the findings as a JSON array of {file, kind, name, rule, message, fix}
  -h, --help  show this help

Exit status: 0 no findings, 1 findings, 2 the input cannot be checked.

Rules:
${rules.map((rule) => `  ${rule.id.padEnd(width)}  ${rule.summary}`).join('\n')}
`;
  },
  async run(args, io) {
    const { files, json, help } = parseArgs(args);
    if (help) {
      io.stdout(doctor.help());
      return EXIT_OK;
    }
    if (files.length === 0)
      throw new UsageError('no files given (usage: lameduck doctor [--json] <file...>)');
    if (files.filter((file) => file === '-').length > 1)
      throw new UsageError('standard input (-) can be read once');
    const inputs = await loadInputs(files, { readStdin: io.readStdin });
    const { objects, problems } = inputs;
    const findings = [...problems, ...diagnose(objects)];
    // Nothing at all could be checked: every file was missing, unreadable or a template.
    const unusable = objects.length === 0;
    if (json) {
      io.stdout(`${JSON.stringify(findings, null, 2)}\n`);
    } else {
      for (const finding of findings) io.stdout(`${formatFinding(finding)}\n`);
      const checked = `${plural(objects.length, 'object')} in ${plural(inputs.files, 'file')}`;
      const workloads = objects.filter((object) => toWorkload(object) !== undefined).length;
      const note = workloads === 0 && objects.length > 0 ? '; no workload among them' : '';
      io.stderr(
        unusable
          ? `lameduck doctor: nothing could be checked in ${files.join(', ')}\n`
          : findings.length === 0
            ? `lameduck doctor: no findings (${checked}${note})\n`
            : `lameduck doctor: ${plural(findings.length, 'finding')} (${checked}${note})\n`,
      );
    }
    if (unusable) return EXIT_UNUSABLE;
    return findings.length === 0 ? EXIT_OK : EXIT_FINDINGS;
  },
};
