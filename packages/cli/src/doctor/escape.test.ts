import { describe, expect, it } from 'vitest';
import { formatFinding } from './diagnose.js';
import { escapeControl, escapeJsonLineBreaks } from './escape.js';
import type { Finding } from './rule.js';
import { uriOf } from './sarif.js';

describe('escapeControl', () => {
  it('writes every control character as an escape, leaving other text alone', () => {
    expect(escapeControl('a\rb\nc\td\u001b[31me\u0000f\u007fg\u0085h\u2028i\u2029j é ✓ \\')).toBe(
      'a\\rb\\nc\\td\\x1b[31me\\x00f\\x7fg\\x85h\\u2028i\\u2029j é ✓ \\',
    );
  });

  it('escapes U+2028 and U+2029 in JSON text, which stays the same JSON', () => {
    const json = JSON.stringify({ name: 'a\u2028b\u2029c\n' });
    expect(escapeJsonLineBreaks(json)).toBe('{"name":"a\\u2028b\\u2029c\\n"}');
    expect(JSON.parse(escapeJsonLineBreaks(json))).toEqual({ name: 'a\u2028b\u2029c\n' });
  });
});

describe('formatFinding', () => {
  const finding: Finding = {
    file: 'x.yaml\n::error file=app.js,line=1::forged',
    line: 3,
    column: 1,
    kind: 'Deployment',
    name: 'web\r::error file=app.js::forged',
    rule: 'replicas-below-two',
    severity: 'warning',
    message:
      'replicas 1 of Deployment/web\r::warning::forged: while that one pod is evicted,\n  nothing serves',
    fix: 'set replicas: 2',
  };

  it('prints one line whatever the names hold: no \\r or \\n can start a workflow command', () => {
    const line = formatFinding(finding);
    expect(line).toBe(
      'x.yaml\\n::error file=app.js,line=1::forged:3:1: warning: Deployment/web\\r::error file=app.js::forged: replicas-below-two: replicas 1 of Deployment/web\\r::warning::forged: while that one pod is evicted, nothing serves — set replicas: 2',
    );
    expect(line).not.toMatch(/[\r\n\u2028\u2029]/);
  });
});

describe('uriOf (SARIF artifactLocation.uri)', () => {
  it.each([
    ['k8s/app.yaml', 'k8s/app.yaml'],
    ['/abs/app.yaml', '/abs/app.yaml'],
    ['dir with space/a.yaml', 'dir%20with%20space/a.yaml'],
    ['javascript:alert(1)/x.yaml', 'javascript%3Aalert(1)/x.yaml'],
    ['a#b?c%d.yaml', 'a%23b%3Fc%25d.yaml'],
    ['//evil.example/x.yaml', '/evil.example/x.yaml'],
    ['k8s\\win\\app.yaml', 'k8s/win/app.yaml'],
    ['<stdin>', '%3Cstdin%3E'],
  ])('%s → %s', (file, uri) => {
    expect(uriOf(file)).toBe(uri);
    // A relative reference stays one: nothing before its first slash reads as a scheme.
    if (!file.startsWith('/'))
      expect(new URL(uri, 'file:///repo/').href.startsWith('file:///repo/')).toBe(true);
  });
});
