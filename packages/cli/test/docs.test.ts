import { readFileSync } from 'node:fs';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '../src/kubernetes/manifest.js';
import { findings } from './helpers.js';

// The guide's recommended manifest is what users copy: it must pass the doctor and the schema.
const guide = readFileSync(new URL('../../../docs/deploying-to-kubernetes.md', import.meta.url), 'utf8');
const yamlBlocks = [...guide.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
const recommended = yamlBlocks.find((block) => block.includes('kind: PodDisruptionBudget')) ?? '';

describe('docs/deploying-to-kubernetes.md', () => {
  it('has a recommended manifest with a Deployment, a Service and a PodDisruptionBudget', () => {
    expect(parseManifest('guide.yaml', recommended).map((object) => object.kind)).toEqual([
      'Deployment',
      'Service',
      'PodDisruptionBudget',
    ]);
  });

  it('recommends a manifest with no findings', () => {
    expect(findings(recommended)).toEqual([]);
  });

  it('recommends a manifest that is valid against the Kubernetes API schema', () => {
    const [deployment, service, budget] = parseManifest('guide.yaml', recommended).map(
      (object) => object.body,
    );
    new Deployment(deployment as never).validate();
    new Service(service as never).validate();
    new PodDisruptionBudget(budget as never).validate();
  });

  it('has a variant for clusters before 1.30 (no preStop, LAMEDUCK_DRAIN_DELAY_MS 5000, the whole grace period from SIGTERM) with no findings', () => {
    const older = recommended
      .replace(/ {10}lifecycle:\n(?: {12}.*\n)+/, '')
      .replace(
        '{ name: LAMEDUCK_DRAIN_DELAY_MS, value: "0" }',
        '{ name: LAMEDUCK_DRAIN_DELAY_MS, value: "5000" }',
      )
      .replace(
        '{ name: TERMINATION_GRACE_PERIOD_SECONDS, value: "30" }',
        '{ name: TERMINATION_GRACE_PERIOD_SECONDS, value: "35" }',
      );
    expect(older).toContain('TERMINATION_GRACE_PERIOD_SECONDS, value: "35"');
    expect(older).not.toContain('lifecycle:');
    expect(older).toContain('value: "5000" }');
    expect(findings(older)).toEqual([]);
  });

  it('shows an exec probe of lameduck-probe that the doctor accepts', () => {
    const probe = yamlBlocks.find((block) => block.includes('dist/bin/probe.js')) ?? '';
    const deployment = recommended.replace(
      / {10}readinessProbe:.*\n(?: {12}.*\n)+/,
      probe.replace(/^ {10}readinessProbe:\n/, '          readinessProbe:\n'),
    );
    expect(deployment).toContain('dist/bin/probe.js');
    expect(findings(deployment)).toEqual([]);
  });
});
