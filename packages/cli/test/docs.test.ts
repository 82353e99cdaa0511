import { readFileSync } from 'node:fs';
import {
  FIXED_WAITS_MS,
  fitShutdownBudget,
  fittedMessage,
  HEADROOM_MS,
  shutdownBudget,
} from '@lameduck/core';
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

// Every budget figure the guide and the CLI README print, recomputed with core's shutdownBudget().
describe('the budget figures in the docs come from shutdownBudget()', () => {
  const cliReadme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const env = Object.fromEntries(
    [...recommended.matchAll(/- \{ name: (\w+), value: "([^"]*)" \}/g)].map((match) => [
      match[1],
      Number(match[2]),
    ]),
  ) as Record<string, number>;
  const preStopMs = Number(/sleep:\n\s+seconds: (\d+)/.exec(recommended)?.[1]) * 1000;
  const graceMs = Number(/terminationGracePeriodSeconds: (\d+)/.exec(recommended)?.[1]) * 1000;
  const times = {
    drainDelayMs: env.LAMEDUCK_DRAIN_DELAY_MS ?? Number.NaN,
    drainTimeoutMs: env.LAMEDUCK_DRAIN_TIMEOUT_MS ?? Number.NaN,
    cleanupTimeoutMs: env.LAMEDUCK_CLEANUP_TIMEOUT_MS ?? Number.NaN,
  };
  const budget = shutdownBudget(times);
  const s = (ms: number) => String(ms / 1000);

  it('the formula: its parts, its sum, and that it fits', () => {
    const line = /^ +(\d+) ≥ (.+) = ([\d.]+)$/m.exec(guide);
    const parts = line?.[2]?.split('+').map((part) => Number(part.trim()));
    expect(parts).toEqual(
      [
        preStopMs,
        times.drainDelayMs,
        times.drainTimeoutMs,
        FIXED_WAITS_MS,
        times.cleanupTimeoutMs,
        HEADROOM_MS,
      ].map((ms) => ms / 1000),
    );
    expect(Number(line?.[3])).toBe((preStopMs + budget.neededMs) / 1000);
    expect(Number(line?.[1]) * 1000).toBe(graceMs);
    expect(preStopMs + budget.neededMs).toBeLessThanOrEqual(graceMs);
    expect(
      shutdownBudget({ ...times, gracePeriodMs: (env.TERMINATION_GRACE_PERIOD_SECONDS ?? Number.NaN) * 1000 })
        .fits,
    ).toBe(true);
  });

  it("the manifest's comment, the timeline and the variant for older clusters", () => {
    expect(recommended).toContain(`= ${s(preStopMs + budget.neededMs)} s\n`);
    expect(guide).toContain(`| ≤ ${s(preStopMs + budget.drainEndMs)} s | In-flight requests finish`);
    expect(guide).toContain(`| ≤ ${s(preStopMs + budget.worstCaseMs)} s | **Cleanup hooks**`);
    const older = shutdownBudget({ ...times, drainDelayMs: 5000 });
    expect(guide).toContain(
      `(0 + 5 + ${s(times.drainTimeoutMs)} + ${s(FIXED_WAITS_MS)} + ${s(times.cleanupTimeoutMs)} + ${s(HEADROOM_MS)} = ${s(older.neededMs)} s)`,
    );
  });

  it('the doctor example, in the guide and the CLI README, is what the doctor prints', () => {
    const defaults = { drainDelayMs: 0, drainTimeoutMs: 20_000, cleanupTimeoutMs: 5000 };
    const needed = preStopMs + shutdownBudget(defaults).neededMs;
    for (const text of [guide, cliReadme]) {
      expect(text).toContain(
        `headroom ${HEADROOM_MS} = ${needed} ms; SIGKILL ends the drain early — set terminationGracePeriodSeconds: ${Math.ceil(needed / 1000)} or more`,
      );
    }
  });

  it('the fitted line of the guide is what fitShutdownBudget() and fittedMessage() give', () => {
    const over = { ...times, drainTimeoutMs: 30_000 };
    const grace = (env.TERMINATION_GRACE_PERIOD_SECONDS ?? Number.NaN) * 1000;
    const fitted = fitShutdownBudget(over, grace).times;
    expect(guide).toContain(
      `[lameduck] ${fittedMessage(over, fitted, grace, `TERMINATION_GRACE_PERIOD_SECONDS=${grace / 1000}`)}\n`,
    );
  });
});
