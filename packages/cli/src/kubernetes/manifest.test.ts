import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError, parseManifest, readManifests } from './manifest.js';

describe('parseManifest', () => {
  it('reads every document, skipping empty ones and ones without a kind', () => {
    const objects = parseManifest(
      'all.yaml',
      '---\nkind: Service\nmetadata: {name: a, namespace: shop}\n---\n---\n# nothing\n---\nfoo: bar\n---\nkind: Deployment\nmetadata: {name: b}\n',
    );
    expect(objects.map(({ file, kind, name, namespace }) => ({ file, kind, name, namespace }))).toEqual([
      { file: 'all.yaml', kind: 'Service', name: 'a', namespace: 'shop' },
      { file: 'all.yaml', kind: 'Deployment', name: 'b', namespace: undefined },
    ]);
  });

  it('flattens kind: List and typed lists', () => {
    const objects = parseManifest(
      'list.yaml',
      'apiVersion: v1\nkind: List\nitems:\n  - {kind: Service, metadata: {name: a}}\n  - kind: DeploymentList\n    items: [{kind: Deployment, metadata: {name: b}}]\n',
    );
    expect(objects.map((object) => `${object.kind}/${object.name}`)).toEqual(['Service/a', 'Deployment/b']);
  });

  it('names an object without a name', () => {
    expect(parseManifest('x.yaml', 'kind: Service\n')[0]?.name).toBe('(unnamed)');
    expect(parseManifest('x.yaml', 'kind: Service\nmetadata: {generateName: web-}\n')[0]?.name).toBe('web-');
  });

  it('reads YAML 1.1 as Kubernetes does, with merge keys', () => {
    const [object] = parseManifest(
      'x.yaml',
      'kind: X\nbase: &base {a: 1}\nspec:\n  <<: *base\n  flag: yes\n',
    );
    expect(object?.body.spec).toEqual({ a: 1, flag: true });
  });

  it.each([
    [
      'kind: Service\nmetadata:\n  name: a\n   bad: indent\n',
      /^bad\.yaml:3:9: YAML does not parse: Nested mappings are not allowed in compact mappings$/,
    ],
    ['kind: Service\nmetadata: {name: a\n', /^bad\.yaml:\d+:\d+: YAML does not parse: /],
    ['kind: A\nkind: B\n', /^bad\.yaml:2:1: YAML does not parse: Map keys must be unique$/],
    ['---\nkind: A\n---\nkind: B\nspec: [\n', /^bad\.yaml:\d+:\d+: YAML does not parse: /],
  ])('reports where YAML does not parse, on one line (%#)', (source, message) => {
    expect(() => parseManifest('bad.yaml', source)).toThrow(ManifestError);
    try {
      parseManifest('bad.yaml', source);
    } catch (error) {
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('\n');
    }
  });
});

describe('readManifests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lameduck-doctor-'));
  writeFileSync(join(dir, 'a.yaml'), 'kind: Service\nmetadata: {name: a}\n');

  it('reads files in order', async () => {
    const objects = await readManifests([join(dir, 'a.yaml'), join(dir, 'a.yaml')]);
    expect(objects).toHaveLength(2);
  });

  it('refuses a missing file and a directory with a one-line reason', async () => {
    await expect(readManifests([join(dir, 'nope.yaml')])).rejects.toThrow(
      `${join(dir, 'nope.yaml')}: no such file`,
    );
    await expect(readManifests([dir])).rejects.toThrow(`${dir}: is a directory; pass the YAML files in it`);
  });
});
