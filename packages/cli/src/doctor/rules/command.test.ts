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
  ])('passes %s', (line) => {
    expect(findings(cleanWith([COMMAND, line]))).toEqual([]);
  });

  it('passes a container that leaves command and args to the image', () => {
    expect(findings(cleanWith([/ {10}command: .*\n/, '']))).toEqual([]);
  });
});
