import { describe, expect, it } from 'vitest';
import { sanitise } from './text.js';

describe('sanitise', () => {
  it('leaves an ordinary message alone', () => {
    expect(sanitise('connect ECONNREFUSED 10.0.0.5:5432', 300)).toBe('connect ECONNREFUSED 10.0.0.5:5432');
  });

  it('turns CR and LF into spaces, so a message cannot forge a line', () => {
    expect(sanitise('down\r\n[+]db ok\nreadiness check passed', 300)).toBe(
      'down [+]db ok readiness check passed',
    );
  });

  it('removes tabs, escape sequences and DEL', () => {
    expect(sanitise('a\tb\u001b[31mred\u007f', 300)).toBe('a b [31mred');
  });

  it.each([
    ['NEL', '\u0085'],
    ['CSI', '\u009b'],
    ['line separator', '\u2028'],
    ['paragraph separator', '\u2029'],
    ['vertical tab', '\u000b'],
    ['form feed', '\u000c'],
  ])('turns the %s character into a space', (_label, char) => {
    expect(sanitise(`down${char}[+]db ok`, 300)).toBe('down [+]db ok');
  });

  it('collapses runs of spaces and trims the ends', () => {
    expect(sanitise('  too   many \n\n spaces  ', 300)).toBe('too many spaces');
  });

  it('keeps non-ASCII text', () => {
    expect(sanitise('Verbindung verweigert – 数据库 🐘', 300)).toBe('Verbindung verweigert – 数据库 🐘');
  });

  it('cuts a long message to the maximum and marks the cut', () => {
    expect(sanitise('x'.repeat(500), 300)).toBe(`${'x'.repeat(300)}…`);
  });

  it('does not mark a message of exactly the maximum length', () => {
    expect(sanitise('x'.repeat(300), 300)).toBe('x'.repeat(300));
  });

  it('never cuts a character in half', () => {
    expect(sanitise(`a${'🐘'.repeat(10)}`, 4)).toBe('a🐘🐘🐘…');
  });

  it('accepts a non-string at run time', () => {
    expect(sanitise(404 as unknown as string, 10)).toBe('404');
  });
});
