/** One printable line, at most `max` characters: safe to put in a text body or a log line. */
export function sanitise(text: string, max: number): string {
  let line = '';
  for (const char of String(text)) {
    const code = char.codePointAt(0) ?? 0;
    // Control characters (CR, LF, ESC, NEL, CSI, ...) and Unicode line or paragraph separators
    // could forge lines in a text body, a terminal, or a reader that splits on them.
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
    line += control ? ' ' : char;
  }
  line = line.replace(/ {2,}/g, ' ').trim();
  // Count and cut by code point, so a cut never leaves half a surrogate pair behind.
  const chars = [...line];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : line;
}
