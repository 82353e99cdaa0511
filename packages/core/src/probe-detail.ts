import { describeValue } from './describe.js';
import { LameduckConfigError } from './errors.js';

/**
 * How much a probe's body says. `'status'`: the status line alone (`ok`, `readiness check
 * failed`), as Spring Boot's default. `'names'`: each check's name and ok/warn/failed, and the
 * lifecycle as ok or failed, as kube-apiserver's `?verbose`: no reasons, durations, timestamps or
 * state names. `'full'`: everything (durations, timestamps, the state; reasons with
 * `exposeDetails`), for a private port.
 */
export type ProbeDetail = 'status' | 'names' | 'full';

export const PROBE_DETAILS: readonly ProbeDetail[] = ['status', 'names', 'full'];

/** Sets `probeDetail` from the deployment; wins over the option in code. */
export const PROBE_DETAIL_VARIABLE = 'LAMEDUCK_PROBE_DETAIL';

/** The level when neither the environment nor the code sets one: `'full'` if the app asked for reasons (`exposeDetails`), else `'names'`. */
export function defaultProbeDetail(exposeDetails: boolean): ProbeDetail {
  return exposeDetails ? 'full' : 'names';
}

const CHOICES =
  "'status' (the status line alone: for a port the public can reach), 'names' (check names and ok/failed) or 'full' (durations, timestamps and the state too)";

/** Validates `probeDetail` in code; undefined stays undefined (the default applies). */
export function probeDetailOption(value: unknown): ProbeDetail | undefined {
  if (value === undefined) return undefined;
  if (PROBE_DETAILS.includes(value as ProbeDetail)) return value as ProbeDetail;
  throw new LameduckConfigError(`probeDetail must be ${CHOICES}, got ${describeValue(value)}`);
}

/** Reads LAMEDUCK_PROBE_DETAIL: unset or empty is undefined; anything but the three names is refused with the app's message. */
export function parseProbeDetail(
  raw: string | undefined,
):
  | { readonly ok: true; readonly value: ProbeDetail | undefined }
  | { readonly ok: false; readonly message: string } {
  const text = raw?.trim();
  if (text === undefined || text === '') return { ok: true, value: undefined };
  if (PROBE_DETAILS.includes(text as ProbeDetail)) return { ok: true, value: text as ProbeDetail };
  return {
    ok: false,
    message: `${PROBE_DETAIL_VARIABLE} must be ${CHOICES}, got ${JSON.stringify(text.slice(0, 40))}; for example ${PROBE_DETAIL_VARIABLE}=status`,
  };
}
