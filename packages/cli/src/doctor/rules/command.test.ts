import { describe, expect, it } from 'vitest';
import { cleanWith, findings } from '../../../test/helpers.js';

const COMMAND = 'command: [/nodejs/bin/node, dist/server.js]';

describe('signals-not-forwarded', () => {
  it.each([
    'command: [npm, start]',
    'command: [npm, run, serve]',
    'command: [/usr/local/bin/yarn, start]',
    'command: [pnpm, start]',
    'command: [bash, -c, "node dist/server.js"]',
    'command: [sh, -ec, "node dist/server.js"]',
    'args: [npm, start]',
  ])('flags %s', (line) => {
    expect(findings(cleanWith([COMMAND, line])).map((finding) => finding.rule)).toEqual([
      'signals-not-forwarded',
    ]);
  });

  it.each([
    'command: [node, dist/server.js]',
    'args: [dist/server.js]',
    'command: [sh, -c, "exec node dist/server.js"]',
    'command: [tini, --, node, dist/server.js]',
    'command: [/bin/sh, -c, "set -e\\nmkdir -p /tmp/cache\\nexec /bin/app --port 8080"]',
    'command: [bash, -ec, "ulimit -n 65536 && exec node dist/server.js"]',
  ])('passes %s', (line) => {
    expect(findings(cleanWith([COMMAND, line]))).toEqual([]);
  });

  it('quotes at most 80 characters of a long script', () => {
    const script = `echo ${'x'.repeat(1400)}; node dist/server.js`;
    const [finding] = findings(cleanWith([COMMAND, `command: [sh, -c, "${script}"]`]));
    expect(finding?.message.length).toBeLessThan(300);
    expect(finding?.message).toContain('…');
  });

  it('gives a container that is not a lameduck app advice without node', () => {
    const text = cleanWith(
      [COMMAND, 'command: [sh, -c, "/bin/app"]'],
      [/ {12}- name: LAMEDUCK_\w+\n.*\n/g, ''],
    );
    const [finding] = findings(text, 'signals-not-forwarded');
    expect(finding?.message).toContain('not reliably to the app');
    expect(finding?.fix).toBe('run the app directly as the command, or end the script with `exec <app> …`');
  });

  it('passes a container that leaves command and args to the image', () => {
    expect(findings(cleanWith([/ {10}command: .*\n/, '']))).toEqual([]);
  });
});
