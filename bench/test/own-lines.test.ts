import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OwnLines } from '../src/own-lines.js';

// A lameduck-like file: `listener` calls `probeBase` (reachable) and `app.call` (the framework);
// `unrelated` is never called from it. Line numbers are 1-based, as in a profile's positionTicks.
const SOURCE = [
  'function probeBase(url) {', // 1
  "  return url.startsWith('/readyz');", // 2
  '}', // 3
  'function unrelated() {', // 4
  '  return 1;', // 5
  '}', // 6
  'export function wrap(app) {', // 7
  '  return function listener(request, response) {', // 8
  '    if (probeBase(request.url)) return;', // 9
  '    app.call(this, request, response);', // 10
  '  };', // 11
  '}', // 12
  'class Tracker {', // 13
  '  constructor(server) {', // 14
  '    observe(server, { start: this.#onRequest.bind(this) });', // 15
  '  }', // 16
  '  #onRequest(exchange) {', // 17
  '    this.count += 1;', // 18
  '  }', // 19
  '}', // 20
  'function onStart(message) {', // 21
  '  message.server[OBSERVER]?.start(message);', // 22
  '}', // 23
  'function attach(server) {', // 24
  '  return new Tracker(server);', // 25
  '}', // 26
].join('\n');

function lameduckFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'own-lines-')), 'node.js');
  writeFileSync(file, SOURCE);
  return pathToFileURL(file).href;
}

describe('OwnLines', () => {
  it('charges a frame with its own lines and those of the lameduck functions it calls, not with inlined framework lines', () => {
    const url = lameduckFile();
    const lines = new OwnLines([url]);
    // The profile names `listener` by where it starts: line 8 (0-based 7), column 9.
    const share = lines.ownShare(url, 7, 9, [
      { line: 9, ticks: 3 }, // its own line
      { line: 2, ticks: 2 }, // probeBase, inlined
      { line: 5, ticks: 1 }, // a line of `unrelated`, which it never calls: framework code
      { line: 195, ticks: 4 }, // past the end of the file: framework code
    ]);
    expect(share).toBeCloseTo(5 / 10);
  });

  it('follows a method handed out bound under another name', () => {
    const url = lameduckFile();
    const lines = new OwnLines([url]);
    // onStart calls `.start`, which is `#onRequest` bound: its line 18 is onStart's own code.
    expect(
      lines.ownShare(url, 20, 9, [
        { line: 22, ticks: 1 },
        { line: 18, ticks: 1 },
        { line: 2, ticks: 2 },
      ]),
    ).toBe(2 / 4);
  });

  it('follows `new` into the constructor', () => {
    const url = lameduckFile();
    const lines = new OwnLines([url]);
    // attach() constructs a Tracker: the constructor's line 15 is its own code; line 5 is not.
    expect(
      lines.ownShare(url, 23, 9, [
        { line: 25, ticks: 1 },
        { line: 15, ticks: 1 },
        { line: 5, ticks: 2 },
      ]),
    ).toBe(2 / 4);
  });

  it('charges everything when it cannot tell: no line ticks, or a file it cannot read', () => {
    const url = lameduckFile();
    const lines = new OwnLines([url, 'file:///nonexistent/lameduck.js']);
    expect(lines.ownShare(url, 7, 9, undefined)).toBe(1);
    expect(lines.ownShare('file:///nonexistent/lameduck.js', 0, 0, [{ line: 400, ticks: 5 }])).toBe(1);
  });
});
