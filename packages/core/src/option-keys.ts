import { LameduckConfigError } from './errors.js';

/**
 * Refuses an options object with a key the function does not take (a typo such as `drainDelay`
 * would otherwise be ignored in silence). `known` is a record typed against the options'
 * interface, so the list cannot drift from the type.
 */
export function checkOptionKeys(options: object, known: Readonly<Record<string, true>>, what: string): void {
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(known, key)) {
      throw new LameduckConfigError(
        `unknown option "${key}" for ${what}; known options: ${Object.keys(known).join(', ')}`,
      );
    }
  }
}
