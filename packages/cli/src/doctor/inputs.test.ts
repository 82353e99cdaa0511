import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode, loadInputs } from './inputs.js';

const DEPLOYMENT = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n';

function directory(files: Record<string, string | Uint8Array>): string {
  const root = mkdtempSync(join(tmpdir(), 'lameduck-inputs-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), { recursive: true });
    writeFileSync(join(root, name), content);
  }
  return root;
}

describe('decode', () => {
  it('reads UTF-8, dropping a byte-order mark', () => {
    expect(decode(new TextEncoder().encode('\uFEFFkind: Service\n'))).toEqual({ text: 'kind: Service\n' });
  });

  it('names UTF-16 (with or without a byte-order mark), binary files and invalid UTF-8', () => {
    const utf16 = Buffer.from('\uFEFFkind: Service\n', 'utf16le');
    expect(decode(utf16)).toMatchObject({ error: 'UTF-16 text, not UTF-8' });
    expect(decode(Buffer.from('kind: Service\n', 'utf16le'))).toMatchObject({
      error: 'UTF-16 text, not UTF-8',
    });
    expect(
      decode(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])),
    ).toMatchObject({
      error: 'a binary file, not YAML text',
    });
    expect(decode(Uint8Array.from([0x6b, 0x69, 0xff, 0x6e, 0x64]))).toMatchObject({
      error: 'not UTF-8 text',
    });
  });
});

describe('loadInputs', () => {
  it('keeps going past files it cannot check, naming file, line and column', async () => {
    const root = directory({
      'a-broken.yaml': 'kind: Service\nmetadata: {name: x\n',
      'b-web.yaml': DEPLOYMENT,
      'c-utf16.yaml': Buffer.from('\uFEFFkind: Service\n', 'utf16le'),
    });
    const inputs = await loadInputs([root]);
    expect(inputs.objects.map((object) => `${object.kind}/${object.name}`)).toEqual(['Deployment/web']);
    expect(inputs.files).toBe(3);
    expect(inputs.problems.map(({ file, line, rule, severity }) => [file, line, rule, severity])).toEqual([
      [join(root, 'a-broken.yaml'), 3, 'unreadable-input', 'error'],
      [join(root, 'c-utf16.yaml'), undefined, 'unreadable-input', 'error'],
    ]);
    expect(inputs.problems[0]?.message).toMatch(/^YAML does not parse: /);
  });

  it('names a Helm template and prints the command that renders its chart', async () => {
    const root = directory({
      'chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.0.0\n',
      'chart/templates/deployment.yaml': `${DEPLOYMENT}  {{- if .Values.x }}\n  paused: true\n  {{- end }}\n`,
    });
    const { problems, objects } = await loadInputs([join(root, 'chart/templates/deployment.yaml')]);
    expect(objects).toEqual([]);
    expect(problems).toMatchObject([
      {
        rule: 'helm-template',
        severity: 'info',
        fix: `render it and check the result: helm template ${join(root, 'chart')} | lameduck doctor -`,
      },
    ]);
  });

  it('recognises a template whose placeholders sit in value positions and parse as YAML', async () => {
    const root = directory({
      'deployment.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n',
    });
    const { problems, objects } = await loadInputs([join(root, 'deployment.yaml')]);
    expect(objects).toEqual([]);
    expect(problems).toMatchObject([{ rule: 'helm-template', line: 4, column: 9 }]);
  });

  it('leaves {{ }} in a ConfigMap alone: only the kinds the rules read decide', async () => {
    const root = directory({
      'config.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  template: "{{ .app.name }}"\n',
    });
    expect((await loadInputs([root])).problems).toEqual([]);
  });

  it('names a kustomization and prints the command that builds it', async () => {
    const root = directory({ 'overlay/kustomization.yaml': 'resources: [../base]\n' });
    const { problems } = await loadInputs([root]);
    expect(problems).toMatchObject([
      {
        rule: 'kustomization',
        fix: `render it and check the result: kubectl kustomize ${join(root, 'overlay')} | lameduck doctor -`,
      },
    ]);
  });

  it('knows a kustomization by its kind or its keys under any file name', async () => {
    const root = directory({
      'a.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [web.yaml]\n',
      'b.yaml': '# no kind\nresources:\n  - web.yaml\n',
    });
    expect((await loadInputs([root])).problems.map((found) => found.rule)).toEqual([
      'kustomization',
      'kustomization',
    ]);
  });

  it('reports a missing path as a problem, not an exception', async () => {
    const { problems, files } = await loadInputs(['/nonexistent/lameduck.yaml']);
    expect(files).toBe(1);
    expect(problems).toMatchObject([{ rule: 'unreadable-input', message: 'no such file' }]);
  });
});
