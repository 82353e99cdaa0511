import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT } from '../src/environment.js';
import { parseEnvironmentValue, parseGracePeriodSeconds } from '../src/environment-parse.js';
import { shutdownBudget } from '../src/shutdown-budget.js';

// Every YAML snippet in the docs that gives the app TERMINATION_GRACE_PERIOD_SECONDS, recomputed
// with the one budget function: the number must be the pod's grace period minus its preStop
// sleep, the app's budget must fit it, and the pod's grace period must hold preStop + budget.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const docs = [
  'README.md',
  ...readdirSync(`${root}docs`)
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
  ...['packages', 'apps'].flatMap((dir) =>
    readdirSync(`${root}${dir}`).map((name) => `${dir}/${name}/README.md`),
  ),
].filter((path) => {
  try {
    readFileSync(`${root}${path}`);
    return true;
  } catch {
    return false;
  }
});

interface Snippet {
  file: string;
  yaml: string;
  prose: string;
}

const snippets: Snippet[] = docs.flatMap((file) => {
  const text = readFileSync(`${root}${file}`, 'utf8');
  return [...text.matchAll(/```yaml\n([\s\S]*?)```\n?([\s\S]{0,600})/g)]
    .filter((match) => /name: TERMINATION_GRACE_PERIOD_SECONDS\b/.test(match[1] ?? ''))
    .map((match) => ({ file, yaml: match[1] ?? '', prose: match[2] ?? '' }));
});

function env(yaml: string): Record<string, string> {
  return Object.fromEntries(
    [...yaml.matchAll(/name: (\w+),?\s*\n?\s*value: "([^"]*)"/g)].map((match) => [match[1], match[2]]),
  );
}

function ms(
  variables: Record<string, string>,
  option: 'drainDelayMs' | 'drainTimeoutMs' | 'cleanupTimeoutMs',
) {
  const parsed = parseEnvironmentValue(option, variables[ENVIRONMENT[option].variable]);
  if (!parsed.ok) throw new Error(parsed.message);
  // In a pod KUBERNETES_SERVICE_HOST is set: the drain delay's default there.
  const row = ENVIRONMENT[option];
  return parsed.value ?? ('kubernetesDefaultMs' in row ? row.kubernetesDefaultMs : row.defaultMs);
}

describe('the docs’ grace-period snippets', () => {
  it('finds the core README’s and the Kubernetes guide’s', () => {
    const files = snippets.map((snippet) => snippet.file);
    expect(files).toContain('packages/core/README.md');
    expect(files).toContain('docs/deploying-to-kubernetes.md');
  });

  it.each(snippets.map((snippet) => [snippet.file, snippet] as const))(
    '%s: TERMINATION_GRACE_PERIOD_SECONDS accounts for the preStop sleep and holds the budget',
    (file, { yaml, prose }) => {
      const variables = env(yaml);
      const told = parseGracePeriodSeconds(variables.TERMINATION_GRACE_PERIOD_SECONDS);
      expect(told.ok).toBe(true);
      const toldS = told.ok ? (told.value ?? 0) : 0;
      const graceS = Number(/terminationGracePeriodSeconds: (\d+)/.exec(yaml)?.[1]);
      const preStopS = Number(/sleep:\s*\n\s*seconds: (\d+)/.exec(yaml)?.[1] ?? 0);
      expect(toldS).toBe(graceS - preStopS);
      const budget = shutdownBudget({
        drainDelayMs: ms(variables, 'drainDelayMs'),
        drainTimeoutMs: ms(variables, 'drainTimeoutMs'),
        cleanupTimeoutMs: ms(variables, 'cleanupTimeoutMs'),
        gracePeriodMs: toldS * 1000,
      });
      expect(budget.fits).toBe(true);
      expect(graceS * 1000).toBeGreaterThanOrEqual(preStopS * 1000 + budget.neededMs);
      // A figure the prose right after the snippet quotes is the budget's.
      const quoted = /needs ([\d.]+) s from SIGTERM/.exec(prose)?.[1];
      if (quoted !== undefined) expect(Number(quoted) * 1000).toBe(budget.neededMs);
      if (file === 'packages/core/README.md') expect(quoted).toBe('26.35');
      const total = /needs \d+ \+ ([\d.]+) =\s*([\d.]+) s/.exec(prose.replace(/\n/g, ' '));
      if (total) expect(Number(total[2]) * 1000).toBe(preStopS * 1000 + budget.neededMs);
    },
  );

  it('would catch the old snippet: told 30 of a 30 s pod with no pause set, the budget (5 s default delay in a pod) needs 31.35 s', () => {
    const budget = shutdownBudget({
      drainDelayMs: ENVIRONMENT.drainDelayMs.kubernetesDefaultMs,
      drainTimeoutMs: ENVIRONMENT.drainTimeoutMs.defaultMs,
      cleanupTimeoutMs: ENVIRONMENT.cleanupTimeoutMs.defaultMs,
      gracePeriodMs: 30_000,
    });
    expect(budget).toMatchObject({ fits: false, neededMs: 31_350 });
  });
});
