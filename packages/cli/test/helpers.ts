import { readFileSync } from 'node:fs';
import { diagnose } from '../src/doctor/diagnose.js';
import type { Finding } from '../src/doctor/rule.js';
import { parseManifest } from '../src/kubernetes/manifest.js';

export const fixturesDir = new URL('./fixtures/', import.meta.url);

/** test/fixtures/clean.yaml: the reference manifest with zero findings. */
export const cleanYaml = readFileSync(new URL('clean.yaml', fixturesDir), 'utf8');

/** test/fixtures/fronts/<name>.yaml: the reference manifest behind a proxy, with zero findings. */
export function frontYaml(name: string): string {
  return readFileSync(new URL(`fronts/${name}.yaml`, fixturesDir), 'utf8');
}

/** A text with some parts replaced, each of which must be there (as cleanWith does). */
export function replaced(text: string, ...replacements: [from: string | RegExp, to: string][]): string {
  return replacements.reduce((current, [from, to]) => {
    const found =
      typeof from === 'string'
        ? current.includes(from)
        : new RegExp(from.source, from.flags.replace('g', '')).test(current);
    if (!found) throw new Error(`replaced: ${String(from)} not found`);
    return current.replace(from, to);
  }, text);
}

/**
 * The clean manifest with some text replaced; each replacement must match, so a test never
 * silently checks the clean manifest when the fixture changes.
 */
export function cleanWith(...replacements: [from: string | RegExp, to: string][]): string {
  return replacements.reduce((text, [from, to]) => {
    const found =
      typeof from === 'string'
        ? text.includes(from)
        : new RegExp(from.source, from.flags.replace('g', '')).test(text);
    if (!found) throw new Error(`cleanWith: ${String(from)} not found in clean.yaml`);
    return text.replace(from, to);
  }, cleanYaml);
}

/** Findings for YAML texts read together (as files a.yaml, b.yaml, …), optionally of one rule. */
export function findings(texts: string | string[], rule?: string): Finding[] {
  const objects = [texts]
    .flat()
    .flatMap((text, index) => parseManifest(`${String.fromCharCode(97 + index)}.yaml`, text));
  const all = diagnose(objects);
  return rule === undefined ? all : all.filter((finding) => finding.rule === rule);
}

/** The rule ids that fire, sorted and without repeats. */
export function rulesFired(texts: string | string[]): string[] {
  return [...new Set(findings(texts).map((finding) => finding.rule))].sort();
}

/** The env entry list of the clean fixture's container, for inserting variables. */
export const ENV_ANCHOR = '          env:\n';

export function withEnv(text: string, name: string, value: string): string {
  if (!text.includes(ENV_ANCHOR)) throw new Error('withEnv: no env list');
  return text.replace(
    ENV_ANCHOR,
    `${ENV_ANCHOR}            - name: ${name}\n              value: "${value}"\n`,
  );
}
