/**
 * `text` with any userinfo (`user:password@`) of a URL's authority replaced by `***@`, for
 * messages and logs: a URL an operator wrote may hold a password. Works on text that does not
 * parse as a URL too (a missing scheme), as it is what error messages echo.
 */
export function withoutUserinfo(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#\s]*@/i, '$1***@');
}
