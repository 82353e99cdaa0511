import { describe, expect, it } from 'vitest';
import { LameduckConfigError } from './errors.js';
import { DEFAULT_PROBE_PATHS, isProbeTarget, probeBase, resolveProbePaths } from './paths.js';

type PathsArgument = Parameters<typeof resolveProbePaths>[0];

function configError(resolve: () => unknown): LameduckConfigError {
  try {
    resolve();
  } catch (error) {
    expect(error).toBeInstanceOf(LameduckConfigError);
    return error as LameduckConfigError;
  }
  throw new Error('expected a LameduckConfigError');
}

describe('resolveProbePaths', () => {
  it('uses the kube-apiserver names by default', () => {
    expect(resolveProbePaths()).toEqual({ liveness: '/livez', readiness: '/readyz', startup: '/startupz' });
    expect(resolveProbePaths()).toEqual(DEFAULT_PROBE_PATHS);
  });

  it('puts the default names under a prefix', () => {
    expect(resolveProbePaths({}, '/health')).toEqual({
      liveness: '/health/livez',
      readiness: '/health/readyz',
      startup: '/health/startupz',
    });
  });

  it('accepts a multi-segment prefix', () => {
    expect(resolveProbePaths({}, '/internal/v1').readiness).toBe('/internal/v1/readyz');
  });

  it('lets an explicit path win over the prefix', () => {
    expect(resolveProbePaths({ readiness: '/ready' }, '/health')).toEqual({
      liveness: '/health/livez',
      readiness: '/ready',
      startup: '/health/startupz',
    });
  });

  it('treats an explicitly undefined path as not given', () => {
    expect(resolveProbePaths({ readiness: undefined }).readiness).toBe('/readyz');
  });

  it('accepts segments that merely start with a dot', () => {
    expect(resolveProbePaths({}, '/.well-known').readiness).toBe('/.well-known/readyz');
    expect(resolveProbePaths({ readiness: '/..ready' }).readiness).toBe('/..ready');
  });

  it('accepts paths that share a beginning without being nested', () => {
    expect(() => resolveProbePaths({ readiness: '/ready', liveness: '/readyz' })).not.toThrow();
  });
});

describe('resolveProbePaths refuses', () => {
  it.each([
    ['a trailing slash', '/health/'],
    ['no leading slash', 'health'],
    ['a bare slash', '/'],
    ['a query', '/health?x=1'],
    ['a double slash', '//health'],
    ['a space', '/my health'],
    ['a dot segment', '/.'],
    ['a dot-dot segment', '/health/..'],
  ])('a prefix with %s', (_label, prefix) => {
    const error = configError(() => resolveProbePaths({}, prefix));
    expect(error.message).toContain('probe prefix must be a path like "/health"');
  });

  it.each([
    ['a number', 42],
    ['null', null],
  ])('a prefix that is %s', (_label, prefix) => {
    const error = configError(() => resolveProbePaths({}, prefix as unknown as string));
    expect(error.message).toContain('probe prefix');
  });

  it.each([
    ['null', null],
    ['a string', '/readyz'],
  ])('paths given as %s', (_label, paths) => {
    const error = configError(() => resolveProbePaths(paths as unknown as PathsArgument));
    expect(error.message).toContain('paths must be an object');
  });

  it('an unknown probe key, naming it', () => {
    const error = configError(() => resolveProbePaths({ ready: '/ready' } as unknown as PathsArgument));
    expect(error.message).toBe('unknown probe "ready" in paths; use liveness, readiness or startup');
  });

  it.each([
    ['no leading slash', 'readyz'],
    ['a trailing slash', '/readyz/'],
    ['a query', '/readyz?verbose'],
    ['an empty string', ''],
    ['a double slash', '//readyz'],
    ['percent-encoding', '/ready%7A'],
    ['a parent segment', '/health/../readyz'],
    ['a dot segment', '/./readyz'],
  ])('a path with %s, naming the option', (_label, path) => {
    const error = configError(() => resolveProbePaths({ readiness: path }));
    expect(error.message).toContain('paths.readiness must be a path like "/readyz"');
  });

  it('a path that is not a string', () => {
    const error = configError(() => resolveProbePaths({ liveness: 8080 } as unknown as PathsArgument));
    expect(error.message).toContain('paths.liveness must be a path');
    expect(error.message).toContain('number 8080');
  });

  it('two probes on the same path', () => {
    const error = configError(() => resolveProbePaths({ liveness: '/health', readiness: '/health' }));
    expect(error.message).toContain('probe paths must be distinct and not nested');
    expect(error.message).toContain('liveness /health, readiness /health');
  });

  it('a probe nested under another', () => {
    const error = configError(() => resolveProbePaths({ readiness: '/health', liveness: '/health/live' }));
    expect(error.message).toContain('probe paths must be distinct and not nested');
  });

  it('an explicit path that the prefixed defaults nest under', () => {
    expect(() => resolveProbePaths({ readiness: '/health' }, '/health')).toThrow(LameduckConfigError);
  });
});

describe('probeBase and isProbeTarget', () => {
  const bases = ['/readyz', '/livez', '/startupz'];

  it.each([
    ['/readyz', '/readyz'],
    ['/readyz?verbose', '/readyz'],
    ['/livez/db', '/livez'],
    ['/readyzz', undefined],
    ['/orders', undefined],
    ['/', undefined],
  ])('%s is under %s', (target, base) => {
    expect(probeBase(bases, target)).toBe(base);
  });

  it('tells probe targets from the rest with the resolved paths', () => {
    const isProbe = isProbeTarget(resolveProbePaths({}, '/health'));
    expect(isProbe('/health/readyz?x')).toBe(true);
    expect(isProbe('/health/startupz')).toBe(true);
    expect(isProbe('/readyz')).toBe(false);
    expect(isProbe('/health')).toBe(false);
  });
});
