/** One printable line, at most `max` characters: safe to put in a text body or a log line. */
export function sanitise(text: string, max: number): string {
  let line = '';
  for (const char of String(text)) {
    const code = char.codePointAt(0) ?? 0;
    // Control characters (CR, LF, ESC, ...) could forge lines in a text body or a terminal.
    line += code < 0x20 || code === 0x7f ? ' ' : char;
  }
  line = line.replace(/ {2,}/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
