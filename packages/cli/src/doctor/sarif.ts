// SARIF 2.1.0 for code-scanning tools (GitHub code scanning, GitLab, Azure DevOps): one run, the
// rules with their default level, one result per finding with its file and line.
import { INPUT_RULES } from './inputs.js';
import type { Finding, Rule, Severity } from './rule.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  error: 'error',
  warning: 'warning',
  info: 'note',
};

/** The descriptions of the input problems, which are not rules but are reported like them. */
const INPUT_DESCRIPTIONS: { id: string; summary: string; severity: Severity }[] = [
  {
    id: INPUT_RULES.unreadable,
    summary: 'a file that cannot be read as YAML (missing, binary, UTF-16, YAML errors)',
    severity: 'error',
  },
  {
    id: INPUT_RULES.template,
    summary: 'a Helm template: render it (helm template … | lameduck doctor -)',
    severity: 'info',
  },
  {
    id: INPUT_RULES.kustomization,
    summary: 'a kustomization: build it (kubectl kustomize … | lameduck doctor -)',
    severity: 'info',
  },
];

/**
 * A URI reference for a path as given (`k8s/app.yaml`, `/abs/app.yaml`): each segment
 * percent-encoded on its own, so `#`, `?`, `%` and `:` are path characters, not URI syntax — a
 * file `javascript:alert(1)/x.yaml` stays a relative path, never a `javascript:` URI — and
 * repeated slashes collapsed (as the file system reads them), so `//host/x.yaml` cannot become
 * a network-path reference.
 */
export function uriOf(file: string): string {
  return file
    .replaceAll('\\', '/')
    .replace(/\/{2,}/g, '/')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

export function toSarif(findings: readonly Finding[], rules: readonly Rule[], version?: string): object {
  const descriptors = [
    ...rules.map((rule) => ({
      id: rule.id,
      summary: rule.summary,
      severity: rule.severity,
      scope: rule.scope,
    })),
    ...INPUT_DESCRIPTIONS.map((input) => ({ ...input, scope: 'files given' })),
  ];
  const index = new Map(descriptors.map((descriptor, position) => [descriptor.id, position]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'lameduck doctor',
            ...(version ? { version } : {}),
            rules: descriptors.map((descriptor) => ({
              id: descriptor.id,
              shortDescription: { text: descriptor.summary },
              defaultConfiguration: { level: LEVEL[descriptor.severity] },
              properties: { scope: descriptor.scope },
            })),
          },
        },
        results: findings.map((finding) => ({
          ruleId: finding.rule,
          ...(index.has(finding.rule) ? { ruleIndex: index.get(finding.rule) } : {}),
          level: LEVEL[finding.severity],
          message: {
            text: `${finding.kind === 'File' ? '' : `${finding.kind}/${finding.name}: `}${finding.message} — ${finding.fix}`,
          },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: uriOf(finding.file) },
                ...(finding.line === undefined
                  ? {}
                  : { region: { startLine: finding.line, startColumn: finding.column ?? 1 } }),
              },
              ...(finding.kind === 'File'
                ? {}
                : {
                    logicalLocations: [
                      {
                        name: finding.name,
                        kind: 'object',
                        fullyQualifiedName: `${finding.kind}/${finding.name}`,
                      },
                    ],
                  }),
            },
          ],
          ...(finding.suppressed
            ? { suppressions: [{ kind: 'inSource', justification: finding.suppressed.reason }] }
            : {}),
        })),
      },
    ],
  };
}
