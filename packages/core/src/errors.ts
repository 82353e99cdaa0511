/**
 * Thrown for a mistake in how lameduck is called or configured: an invalid option, a check
 * registered twice. The message names the problem and the fix in one line. Thrown at the call
 * that made the mistake (registration, setup), never later from a probe or a request.
 */
export class LameduckConfigError extends Error {
  override name = 'LameduckConfigError';
}
