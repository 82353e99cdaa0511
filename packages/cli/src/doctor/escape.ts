// Names in the output come from the files given, which a pull request may control. A `\r` or a
// newline in an object or file name would start a line of its own — `::error file=…::` is a
// GitHub Actions workflow command, turned into an annotation — so every control character is
// printed as an escape: `\r`, `\n`, `\t`, `\x1b`…, and U+2028/U+2029 (line breaks to some viewers).

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** The text with each control character written as an escape, so it prints as one line. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (character) => {
    const named = NAMED[character];
    if (named) return named;
    const code = character.charCodeAt(0);
    return code > 0xff
      ? `\\u${code.toString(16).padStart(4, '0')}`
      : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/**
 * JSON text with U+2028 and U+2029 escaped too: JSON.stringify escapes the other control
 * characters but leaves those two raw, and a log viewer may break the line there.
 */
export function escapeJsonLineBreaks(json: string): string {
  return json.replace(/[\u2028\u2029]/g, (character) => `\\u${character.charCodeAt(0).toString(16)}`);
}
