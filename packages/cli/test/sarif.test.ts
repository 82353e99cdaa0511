import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { rules } from '../src/doctor/rules/index.js';
import { toSarif } from '../src/doctor/sarif.js';
import { findings } from './helpers.js';

// The official SARIF 2.1.0 schema (OASIS sarif-spec, sarif-2.1/schema/sarif-schema-2.1.0.json),
// committed byte for byte; it is draft-04 JSON Schema.
const schema = JSON.parse(
  readFileSync(new URL('fixtures/sarif/sarif-schema-2.1.0.json', import.meta.url), 'utf8'),
) as object;
// CommonJS modules: their `default` is the class and the plugin, under Node's ESM and TypeScript alike.
const ajv = new ajvDraft04.default({ allErrors: true, strict: false });
ajvFormats.default(ajv);
const validate = ajv.compile(schema);

const packageDir = fileURLToPath(new URL('..', import.meta.url));

function sarifOf(...args: string[]): Promise<{ code: number; log: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['dist/cli.js', 'doctor', '--format', 'sarif', ...args],
      { cwd: packageDir },
      (error, stdout) => {
        try {
          resolve({
            code: error ? Number(error.code) : 0,
            log: JSON.parse(stdout) as Record<string, unknown>,
          });
        } catch (cause) {
          reject(cause);
        }
      },
    );
  });
}

describe('--format sarif', () => {
  it('is valid against the SARIF 2.1.0 schema, with file and line of each finding', async () => {
    const { code, log } = await sarifOf(
      'test/fixtures/flawed/pdb-blocks-eviction.yaml',
      'test/fixtures/flawed/signals-not-forwarded.yaml',
      'test/fixtures/missing.yaml',
    );
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(code).toBe(1);
    const [run] = log.runs as {
      results: Record<string, unknown>[];
      tool: { driver: { rules: { id: string }[] } };
    }[];
    expect(run?.tool.driver.rules.map((rule) => rule.id)).toEqual(
      expect.arrayContaining(rules.map((rule) => rule.id)),
    );
    expect(
      run?.results.map((result) => {
        const [location] = result.locations as {
          physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } };
        }[];
        return [
          result.ruleId,
          result.level,
          location?.physicalLocation.artifactLocation.uri,
          location?.physicalLocation.region?.startLine,
        ];
      }),
    ).toEqual([
      ['unreadable-input', 'error', 'test/fixtures/missing.yaml', undefined],
      ['pdb-blocks-eviction', 'error', 'test/fixtures/flawed/pdb-blocks-eviction.yaml', 89],
      ['signals-not-forwarded', 'warning', 'test/fixtures/flawed/signals-not-forwarded.yaml', 3],
    ]);
  });

  it('marks a finding skipped by annotation as suppressed in source, with the reason', () => {
    const [skipped] = findings(
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: one\n  annotations:\n    lameduck.dev/doctor-skip: exec-probe-shell-tool\n    lameduck.dev/doctor-skip-reason: the image ships curl\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: a, livenessProbe: {exec: {command: [curl, x]}}}]\n',
    );
    expect(skipped?.suppressed).toEqual({ reason: 'the image ships curl' });
    const log = toSarif([{ ...skipped!, file: 'dir with space/a.yaml' }], rules);
    expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
    expect(JSON.stringify(log)).toContain(
      '"suppressions":[{"kind":"inSource","justification":"the image ships curl"}]',
    );
    expect(JSON.stringify(log)).toContain('"uri":"dir%20with%20space/a.yaml"');
  });

  it('would fail validation if the log were wrong (the check is real)', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
    expect(validate({ version: '2.0.0', runs: [] })).toBe(false);
  });
});
