// The doctor on real manifests: files copied byte for byte from public repositories (sources.json
// records repository, path, commit and git blob of each), every finding judged once in
// judgments.json — true, false or debatable. Findings of an earlier doctor that are gone now are
// kept there too (`found: before only`), so a false one that comes back fails this test.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../src/doctor/diagnose.js';
import { loadInputs } from '../src/doctor/inputs.js';

const corpusDir = fileURLToPath(new URL('fixtures/corpus/', import.meta.url));

interface Source {
  file: string;
  repository: string;
  path: string;
  commit: string;
  blob: string;
}

interface Judgment {
  file: string;
  object: string;
  rule: string;
  container?: string;
  occurrence?: number;
  verdict: 'true' | 'false' | 'debatable';
  why: string;
  found?: 'before only';
}

const sources = JSON.parse(readFileSync(`${corpusDir}sources.json`, 'utf8')) as Source[];
const judgments = JSON.parse(readFileSync(`${corpusDir}judgments.json`, 'utf8')) as Judgment[];
const repositories = readdirSync(corpusDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

function keyOf(judgment: Pick<Judgment, 'file' | 'object' | 'rule' | 'container' | 'occurrence'>): string {
  return `${judgment.file} ${judgment.object} ${judgment.rule} ${judgment.container ?? '-'} #${judgment.occurrence ?? 1}`;
}

/** The doctor over each repository's files together, as `lameduck doctor <dir>` reads them. */
async function corpusFindings(): Promise<string[]> {
  const keys: string[] = [];
  for (const repository of repositories) {
    const { objects, problems } = await loadInputs([`${corpusDir}${repository}`]);
    const seen = new Map<string, number>();
    for (const finding of [...problems, ...diagnose(objects)]) {
      const file = finding.file.slice(corpusDir.length);
      const container = /container "([^"]+)"/.exec(finding.message)?.[1];
      const base = { file, object: `${finding.kind}/${finding.name}`, rule: finding.rule, container };
      const occurrence = (seen.get(keyOf(base)) ?? 0) + 1;
      seen.set(keyOf(base), occurrence);
      keys.push(keyOf({ ...base, occurrence }));
    }
  }
  return keys;
}

/** Git's id of a file's content: what `git rev-parse <commit>:<path>` prints upstream. */
function gitBlob(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

describe('the corpus of real manifests', () => {
  it('has at least 30 files from at least 8 public repositories, each with its source recorded', () => {
    expect(sources.length).toBeGreaterThanOrEqual(30);
    expect(new Set(sources.map((source) => source.repository)).size).toBeGreaterThanOrEqual(8);
    const onDisk = repositories.flatMap((repository) =>
      readdirSync(`${corpusDir}${repository}`).map((name) => `${repository}/${name}`),
    );
    expect(onDisk.sort()).toEqual(sources.map((source) => source.file).sort());
    for (const source of sources) {
      expect(source.repository).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
      expect(source.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(source.path).not.toBe('');
    }
  });

  it('holds the files byte for byte (their git blob ids match the ones recorded upstream)', () => {
    for (const source of sources) {
      expect(gitBlob(readFileSync(`${corpusDir}${source.file}`)), source.file).toBe(source.blob);
    }
  });

  it('judges every finding once, reports none judged false, and keeps every true one', async () => {
    const found = await corpusFindings();
    const byKey = new Map(judgments.map((judgment) => [keyOf(judgment), judgment]));
    expect(byKey.size, 'a finding judged twice').toBe(judgments.length);
    expect(
      found.filter((key) => !byKey.has(key)),
      'findings nobody judged',
    ).toEqual([]);
    expect(
      found.filter((key) => byKey.get(key)?.verdict === 'false'),
      'findings judged false',
    ).toEqual([]);
    const kept = new Set(found);
    const lost = judgments.filter((judgment) => judgment.verdict === 'true' && !kept.has(keyOf(judgment)));
    expect(lost.map(keyOf), 'true findings lost').toEqual([]);
    const current = judgments.filter((judgment) => judgment.found === undefined);
    expect(current.filter((judgment) => !kept.has(keyOf(judgment))).map(keyOf), 'stale judgments').toEqual(
      [],
    );
  });
});
