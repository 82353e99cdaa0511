import type { CheckKind } from './checks.js';
import { describeValue } from './describe.js';
import { LameduckConfigError } from './errors.js';

export type ProbePaths = Readonly<Record<CheckKind, string>>;

/** kube-apiserver's own conventions. */
export const DEFAULT_PROBE_PATHS: ProbePaths = {
  liveness: '/livez',
  readiness: '/readyz',
  startup: '/startupz',
};

// Segments of URL-safe characters; no '.' or '..' segment, which clients resolve away before
// sending, so a probe path holding one could never be requested.
const SAFE_PATH = /^(\/(?!\.\.?(?:\/|$))[A-Za-z0-9._~-]+)+$/;

/**
 * Works out the three probe paths from `paths` and `prefix`: an explicit path wins, otherwise
 * the default name under the prefix (`prefix: '/health'` gives `/health/readyz`).
 */
export function resolveProbePaths(paths: Partial<Record<CheckKind, string>> = {}, prefix = ''): ProbePaths {
  if (typeof prefix !== 'string' || (prefix !== '' && !SAFE_PATH.test(prefix))) {
    throw new LameduckConfigError(
      `probe prefix must be a path like "/health" (no trailing slash, no query, no '.' or '..' segments), got ${describeValue(prefix)}`,
    );
  }
  if (paths === null || typeof paths !== 'object') {
    throw new LameduckConfigError(
      `paths must be an object like { readiness: '/ready' }, got ${describeValue(paths)}`,
    );
  }
  for (const key of Object.keys(paths)) {
    if (!(key in DEFAULT_PROBE_PATHS)) {
      throw new LameduckConfigError(`unknown probe "${key}" in paths; use liveness, readiness or startup`);
    }
  }
  const resolved = {
    liveness: paths.liveness ?? `${prefix}${DEFAULT_PROBE_PATHS.liveness}`,
    readiness: paths.readiness ?? `${prefix}${DEFAULT_PROBE_PATHS.readiness}`,
    startup: paths.startup ?? `${prefix}${DEFAULT_PROBE_PATHS.startup}`,
  };
  for (const [kind, path] of Object.entries(resolved)) {
    if (typeof path !== 'string' || !SAFE_PATH.test(path)) {
      throw new LameduckConfigError(
        `paths.${kind} must be a path like "/readyz" (letters, digits, '.', '_', '~', '-' between slashes, no trailing slash, no '.' or '..' segments), got ${describeValue(path)}`,
      );
    }
  }
  const values = Object.values(resolved);
  for (const path of values) {
    const clash = values.find(
      (other) => other !== path && (other.startsWith(`${path}/`) || path.startsWith(`${other}/`)),
    );
    if (values.indexOf(path) !== values.lastIndexOf(path) || clash) {
      throw new LameduckConfigError(
        `probe paths must be distinct and not nested (liveness ${resolved.liveness}, readiness ${resolved.readiness}, startup ${resolved.startup})`,
      );
    }
  }
  return resolved;
}

/** The probe path an origin-form target is (`/readyz`, `/readyz?x`) or is under (`/readyz/db`). */
export function probeBase(bases: readonly string[], target: string): string | undefined {
  for (const base of bases) {
    if (target.startsWith(base)) {
      const next = target.charCodeAt(base.length);
      // end of string, '/' or '?'
      if (Number.isNaN(next) || next === 47 || next === 63) return base;
    }
  }
  return undefined;
}

/**
 * Whether an origin-form target is one of the probe paths (or under one): what the drain's quiet
 * window leaves out, since the kubelet and load balancers probe a leaving pod as often as ever.
 */
export function isProbeTarget(paths: ProbePaths): (target: string) => boolean {
  const bases = [paths.readiness, paths.liveness, paths.startup];
  return (target) => probeBase(bases, target) !== undefined;
}
