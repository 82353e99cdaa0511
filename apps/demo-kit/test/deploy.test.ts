// The demos' deployment files: generated from deploy/demo-files.mjs, never stale, valid against
// the Kubernetes API schema, clean under `lameduck doctor`, and with numbers that add up.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  BUDGET,
  budgetFor,
  DEMOS,
  IMAGE_VERSION,
  manifestObjects,
  renderAll,
  VARIANTS,
} from '../deploy/demo-files.mjs';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const cli = join(
  dirname(createRequire(import.meta.url).resolve('@lameduck/cli/package.json')),
  'dist/cli.js',
);
const generated = renderAll();
const manifests = generated.filter(({ path }) => path.endsWith('.yaml'));
const dockerfiles = generated.filter(({ path }) => path.endsWith('/Dockerfile'));

const models: Record<string, new (data: never) => { validate(): void }> = {
  Deployment,
  Service,
  PodDisruptionBudget,
};

function parse(path: string): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(join(root, path), 'utf8')).map((document) => {
    expect(document.errors).toEqual([]);
    return document.toJS() as Record<string, unknown>;
  });
}

/** The built CLI, as a user runs it: `lameduck doctor ARGS` (stdin for `-`). */
function doctor(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cli, 'doctor', ...args],
      { cwd: root },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(stdin);
  });
}

describe('generated deployment files', () => {
  it('cover every demo: two manifests and a Dockerfile each', () => {
    expect(generated.map(({ path }) => path).sort()).toEqual(
      DEMOS.flatMap((demo) => [
        `apps/${demo}/Dockerfile`,
        `apps/${demo}/k8s/manifests.yaml`,
        `apps/${demo}/k8s/variants/pre-1.30.yaml`,
      ]).sort(),
    );
  });

  it.each(generated)('$path is up to date (node scripts/generate-manifests.mjs)', ({ path, content }) => {
    let committed: string | undefined;
    try {
      committed = readFileSync(join(root, path), 'utf8');
    } catch {
      committed = undefined;
    }
    expect(committed, `${path} is missing or stale: run node scripts/generate-manifests.mjs`).toBe(content);
  });
});

describe('Kubernetes manifests', () => {
  it.each(manifests)(
    '$path is valid against the Kubernetes API schema (kubernetes-models 4.5.1)',
    ({ path }) => {
      const kinds = parse(path).map((object) => {
        const Model = models[object.kind as string];
        if (!Model) throw new Error(`${path}: no model for ${String(object.kind)}`);
        new Model(object as never).validate();
        return object.kind;
      });
      expect(kinds).toEqual(['Deployment', 'Service', 'PodDisruptionBudget']);
    },
  );

  it('the schema check is real: a wrong type fails it', () => {
    const [deployment] = manifestObjects(DEMOS[0]!, VARIANTS[0]!);
    deployment.spec.replicas = 'three';
    expect(() => new Deployment(deployment).validate()).toThrow(/replicas/);
  });

  it.each(manifests)('lameduck doctor finds nothing in $path', async ({ path }) => {
    const result = await doctor(['--json', path]);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([]);
    expect(result.code).toBe(0);
  });

  it('lameduck doctor finds nothing in every demo read together, and would find a stacked pause', async () => {
    const all = await doctor(manifests.map(({ path }) => path));
    expect(all).toMatchObject({ code: 0, stdout: '' });
    expect(all.stderr).toMatch(/no findings \(\d+ objects in \d+ files\)/);
    const native = readFileSync(join(root, manifests[0]!.path), 'utf8');
    const stacked = native.replace(/(name: LAMEDUCK_DRAIN_DELAY_MS\n\s+value: )"0"/, '$1"5000"');
    expect(stacked).not.toBe(native);
    const result = await doctor(['-'], stacked);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/: pause-stacked: /);
  });

  it.each(manifests)('$path: objects of one demo select the same pods', ({ path }) => {
    const [deployment, service, budget] = parse(path) as unknown as PodSelecting[];
    const template = deployment!.spec.template!;
    for (const selector of [
      deployment!.spec.selector!.matchLabels,
      service!.spec.selector,
      budget!.spec.selector!.matchLabels,
    ]) {
      expect(template.metadata.labels).toMatchObject(selector!);
    }
    const demo = path.split('/')[1];
    expect(deployment!.metadata.name).toBe(demo);
    expect(template.spec.containers[0]!.image).toBe(`lameduck/${demo}:${IMAGE_VERSION}`);
  });
});

/** The fields of Deployments, Services and PodDisruptionBudgets that pick pods. */
interface PodSelecting {
  metadata: { name: string };
  spec: {
    /** A Service's selector is the labels; the others' hold them in matchLabels. */
    selector?: { matchLabels?: Record<string, string>; [label: string]: unknown };
    template?: { metadata: { labels: Record<string, string> }; spec: { containers: { image: string }[] } };
  };
}

describe('the budget', () => {
  const [native, legacy] = VARIANTS;

  it('has exactly one pause per variant: a native preStop sleep with LAMEDUCK_DRAIN_DELAY_MS 0, or the in-app delay alone', () => {
    for (const demo of DEMOS) {
      const [withSleep] = manifestObjects(demo, native!);
      const [withoutSleep] = manifestObjects(demo, legacy!);
      const container = (deployment: typeof withSleep) => deployment.spec.template.spec.containers[0];
      const env = (deployment: typeof withSleep) =>
        Object.fromEntries(
          container(deployment).env.map((entry: { name: string; value?: string }) => [
            entry.name,
            entry.value,
          ]),
        );
      expect(container(withSleep).lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
      expect(env(withSleep).LAMEDUCK_DRAIN_DELAY_MS).toBe('0');
      expect(container(withoutSleep).lifecycle).toBeUndefined();
      expect(env(withoutSleep).LAMEDUCK_DRAIN_DELAY_MS).toBe('5000');
    }
  });

  it("derives each grace period from pause + core's shutdownBudget() (drain, lameduck's waits, cleanup budget, headroom)", () => {
    expect(BUDGET).toMatchObject({ drainTimeoutMs: 20_000, hookTimeoutMs: 5_000, cleanupTimeoutMs: 5_000 });
    // preStop 5 s + 0 + 20 s + 0.35 s + 5 s + 1 s = 31.35 s; the app counts from SIGTERM, after the 5 s sleep.
    expect(budgetFor(native!)).toMatchObject({
      terminationGracePeriodSeconds: 32,
      appGracePeriodSeconds: 27,
      appWorstCaseMs: 25_350,
    });
    // no preStop + 5 s in-app delay + 20 s + 0.35 s + 5 s + 1 s; the app counts the whole period.
    expect(budgetFor(legacy!)).toMatchObject({
      terminationGracePeriodSeconds: 32,
      appGracePeriodSeconds: 32,
      appWorstCaseMs: 30_350,
    });
  });

  it('refuses to render two stacked pauses', () => {
    expect(() => budgetFor({ ...native!, drainDelayMs: 5_000 })).toThrow(/stack two pauses/);
  });
});

describe('Dockerfiles', () => {
  it.each(dockerfiles)(
    '$path: multi-stage, production dependencies only, distroless, non-root, node as PID 1',
    ({ path, content }) => {
      const demo = path.split('/')[1];
      const lines = content.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
      expect(lines[0]).toBe('FROM node:20-bookworm-slim AS build');
      expect(lines).toContain('RUN pnpm install --frozen-lockfile --offline');
      expect(lines).toContain(`RUN pnpm --filter ${demo}... build`);
      expect(lines).toContain(`RUN pnpm --filter ${demo} deploy --prod --legacy /out`);
      const runtime = lines.slice(lines.findIndex((line) => line.startsWith('FROM gcr.io/distroless/')));
      expect(runtime[0]).toBe('FROM gcr.io/distroless/nodejs20-debian12:nonroot');
      expect(runtime).toContain('USER 65532:65532');
      expect(runtime.at(-1)).toBe('CMD ["dist/server.js"]');
      expect(runtime.join('\n')).not.toMatch(/\b(npm|pnpm|sh -c)\b|ENTRYPOINT/);
    },
  );

  it.each(DEMOS)('%s README says how to build the image and apply the manifests', (demo) => {
    const readme = readFileSync(join(root, `apps/${demo}/README.md`), 'utf8');
    expect(readme).toContain(
      `docker build -f apps/${demo}/Dockerfile -t lameduck/${demo}:${IMAGE_VERSION} .`,
    );
    expect(readme).toContain('k8s/variants/pre-1.30.yaml');
    // The numbers it quotes are the ones the generator computes.
    const [native, legacy] = VARIANTS.map((variant) => budgetFor(variant));
    expect(readme).toContain(`= ${native!.terminationGracePeriodSeconds} s in both`);
    expect(legacy!.terminationGracePeriodSeconds).toBe(native!.terminationGracePeriodSeconds);
    expect(readme).toContain(
      `is ${native!.appGracePeriodSeconds} next to the preStop sleep and ${legacy!.appGracePeriodSeconds} without it`,
    );
  });

  it('the build context leaves out what the image must not copy', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', '**/dist', '.git']) expect(ignored).toContain(entry);
  });
});
