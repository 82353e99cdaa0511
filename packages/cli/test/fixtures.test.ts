import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { formatFinding } from '../src/doctor/diagnose.js';
import { rules } from '../src/doctor/rules/index.js';
import { parseManifest } from '../src/kubernetes/manifest.js';
import { cleanYaml, findings, fixturesDir, rulesFired } from './helpers.js';

const flawedDir = new URL('flawed/', fixturesDir);
// flawed/<rule-id>.yaml or flawed/<rule-id>--<variant>.yaml: exactly that one rule must fire.
const flawed = readdirSync(flawedDir)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => ({
    name,
    rule: name.replace(/(--[a-z-]+)?\.yaml$/, ''),
    text: readFileSync(new URL(name, flawedDir), 'utf8'),
  }));

const models: Record<string, new (data: never) => { validate(): void }> = {
  Deployment,
  Service,
  PodDisruptionBudget,
  HorizontalPodAutoscaler,
  Ingress,
  ConfigMap,
  Namespace,
};

// Custom resources (the AWS Load Balancer Controller's, Istio's): kubernetes-models has no schema.
const CUSTOM_KINDS = new Set(['TargetGroupBinding', 'DestinationRule']);

function validateAll(file: string, text: string): string[] {
  return parseManifest(file, text).map((object) => {
    if (CUSTOM_KINDS.has(object.kind)) return object.kind;
    const Model = models[object.kind];
    if (!Model) throw new Error(`${file}: no model for ${object.kind}`);
    new Model(object.body as never).validate();
    return object.kind;
  });
}

describe('the clean reference manifest', () => {
  it('has no findings', () => {
    expect(findings(cleanYaml)).toEqual([]);
  });

  it('is valid against the Kubernetes API schema (kubernetes-models 4.5.1)', () => {
    expect(validateAll('clean.yaml', cleanYaml)).toEqual(['Deployment', 'Service', 'PodDisruptionBudget']);
  });

  it('would fail schema validation if it were wrong (the check is real)', () => {
    const broken = cleanYaml.replace('replicas: 3', 'replicas: three');
    expect(() => validateAll('broken.yaml', broken)).toThrow(/replicas/);
  });
});

// fronts/*.yaml: the reference manifest behind a proxy or a load balancer (AWS ALB, ingress-nginx,
// an Istio or Linkerd sidecar), done right; the flawed files for those rules change one thing in one.
const fronts = readdirSync(new URL('fronts/', fixturesDir))
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => ({ name, text: readFileSync(new URL(`fronts/${name}`, fixturesDir), 'utf8') }));

describe('the reference manifest behind each proxy', () => {
  it.each(fronts)('fronts/$name has no findings and is schema-valid', ({ name, text }) => {
    expect(findings(text)).toEqual([]);
    expect(validateAll(name, text).length).toBeGreaterThan(1);
  });
});

describe('each flawed manifest', () => {
  it('covers every rule at least once', () => {
    expect(new Set(flawed.map(({ rule }) => rule))).toEqual(new Set(rules.map((rule) => rule.id)));
  });

  it.each(flawed)('$name fires $rule and nothing else', ({ name, rule, text }) => {
    expect(rulesFired(text)).toEqual([rule]);
    for (const finding of findings(text)) {
      const line = formatFinding({ ...finding, file: name });
      expect(line).toMatch(
        new RegExp(`^${name}:\\d+:\\d+: (error|warning|info): [A-Za-z]+/web: ${rule}: [^\\n]+ — [^\\n]+$`),
      );
    }
  });

  // The API server rejects a removed apiVersion, and has no schema for a custom kind.
  const NOT_SCHEMA_VALID = new Set(['removed-api-version', 'kind-not-checked']);
  it.each(flawed.filter(({ rule }) => !NOT_SCHEMA_VALID.has(rule)))(
    '$name is still schema-valid: its flaw is one the API server accepts',
    ({ name, text }) => {
      expect(validateAll(name, text).length).toBeGreaterThan(0);
    },
  );
});

describe('the rule list', () => {
  it('has unique, kebab-case ids and one-line summaries', () => {
    const ids = rules.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of rules) {
      expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(rule.summary).not.toContain('\n');
    }
  });

  it('is documented in the README with every id, its severity and its scope', () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    for (const rule of rules)
      expect(readme).toContain(`| \`${rule.id}\` | ${rule.severity} | ${rule.scope} | `);
  });
});
