import { describeThrown, describeValue } from './describe.js';
import { durationOption } from './duration.js';
import { ENVIRONMENT } from './environment.js';
import { LameduckConfigError } from './errors.js';
import { checkOptionKeys } from './option-keys.js';

export type CheckKind = 'liveness' | 'readiness' | 'startup';
export const CHECK_KINDS: readonly CheckKind[] = ['liveness', 'readiness', 'startup'];

/** What a passing check may return: nothing, or a JSON-serialisable plain object of details. */
export type CheckDetails = Record<string, unknown>;

/**
 * A health check. Resolve (or return) to pass, throw (or reject) to fail. The signal aborts
 * when lameduck gives up on the call at its timeout: pass it to `fetch`, a driver's query, or
 * anything else that can stop early.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: `void` lets `async () => {}` be a check.
export type CheckFunction = (signal: AbortSignal) => Promise<void | CheckDetails> | void | CheckDetails;

export interface CheckOptions {
  /** Which probe(s) the check belongs to. Default `'readiness'`. */
  kind?: CheckKind | readonly CheckKind[];
  /** Give up on a call after this long and report it failed. Default 500 ms. */
  timeoutMs?: number;
  /** A non-critical check that fails is reported as `warn` and does not fail the probe. Default true. */
  critical?: boolean;
  /**
   * Reuse a result this long, for every probe kind (liveness too: a probe storm must not run the
   * check at the caller's rate). Default 1000 ms (`cacheTtlMs` of createLameduck); 0 runs it for
   * every probe, one call at a time.
   */
  cacheTtlMs?: number;
}

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  readonly critical: boolean;
  /** When the call that produced this result started (ms since the epoch). */
  readonly startedAt: number;
  readonly durationMs: number;
  /** Why it failed. Probe responses withhold it unless details are exposed. */
  readonly error?: string;
  /** What a passing check returned. Withheld like `error`. */
  readonly details?: CheckDetails;
  /** True when the result was reused from an earlier call inside the cache TTL. */
  readonly cached: boolean;
}

export interface CheckDefaults {
  timeoutMs: number;
  cacheTtlMs: number;
}

export const DEFAULT_CHECK_TIMEOUT_MS: number = ENVIRONMENT.checkTimeoutMs.defaultMs;
export const DEFAULT_CACHE_TTL_MS = 1000;
/** The longest check timeout or cache TTL accepted: five minutes. */
export const MAX_CHECK_DURATION_MS: number = ENVIRONMENT.checkTimeoutMs.maxMs;

/** Check names appear in probe paths (`/readyz/<name>`), so they stay URL-safe. */
const CHECK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/** The verbose output's first line reports the lifecycle state under this name. */
const RESERVED_NAME = 'lifecycle';
const CHECK_OPTION_KEYS: Readonly<Record<keyof CheckOptions, true>> = {
  kind: true,
  timeoutMs: true,
  critical: true,
  cacheTtlMs: true,
};

interface Outcome {
  ok: boolean;
  error?: string;
  details?: CheckDetails;
  startedAt: number;
  durationMs: number;
}

interface RegisteredCheck {
  readonly name: string;
  readonly fn: CheckFunction;
  readonly kinds: ReadonlySet<CheckKind>;
  readonly timeoutMs: number;
  readonly critical: boolean;
  readonly cacheTtlMs: number;
  /** The call every concurrent evaluation shares (single-flight). */
  inflight?: Promise<Outcome>;
  /** A call given up at its timeout that has not settled yet; no new call starts until it does. */
  abandonedSince?: number;
  last?: { outcome: Outcome; finishedAt: number };
  /** The status the logs last reported, and since when: survives clearCache(). */
  reported?: { ok: boolean; since: number };
}

/** Told when a check's fresh result differs from its last one (pass ↔ fail), and of a first failure. */
export type CheckTransitionListener = (transition: CheckTransition) => void;

export interface CheckTransition {
  readonly name: string;
  readonly critical: boolean;
  readonly ok: boolean;
  /** Why it fails now (when `ok` is false). */
  readonly error?: string;
  /** How long the previous status lasted, when there was one. */
  readonly previousForMs?: number;
}

/** Told of every fresh result (a call that finished or timed out); cached results are not news. */
export type CheckResultListener = (event: CheckEvent) => void;

/** One fresh check result, as `lameduck.on('check', …)` and the `lameduck:check` channel give it. */
export interface CheckEvent {
  readonly name: string;
  /** The probes the check belongs to. */
  readonly kinds: readonly CheckKind[];
  readonly status: CheckStatus;
  readonly critical: boolean;
  /** When the call started (ms since the epoch). */
  readonly startedAt: number;
  readonly durationMs: number;
  /** Why it failed. */
  readonly error?: string;
  readonly cached: false;
}

export class CheckRegistry {
  readonly #checks = new Map<string, RegisteredCheck>();
  readonly #now: () => number;
  readonly #defaults: CheckDefaults;
  readonly #onTransition: CheckTransitionListener | undefined;
  readonly #onResult: CheckResultListener | undefined;
  /** One counter per kind (see `generation`). */
  readonly #generations: Record<CheckKind, number> = { liveness: 0, readiness: 0, startup: 0 };

  constructor(
    options: {
      now?: () => number;
      defaults?: Partial<CheckDefaults>;
      onTransition?: CheckTransitionListener;
      onResult?: CheckResultListener;
    } = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#onTransition = options.onTransition;
    this.#onResult = options.onResult;
    this.#defaults = {
      timeoutMs: options.defaults?.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS,
      cacheTtlMs: options.defaults?.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS,
    };
  }

  /**
   * Changes whenever a check of `kind` is added or removed or one of its results is recorded or
   * forgotten: an answer built from results of one generation stays right while the generation
   * holds (and none of those results has expired, see `freshUntil`).
   */
  generation(kind: CheckKind): number {
    return this.#generations[kind];
  }

  #bump(kinds: Iterable<CheckKind>): void {
    for (const kind of kinds) this.#generations[kind] += 1;
  }

  /**
   * Until when (on this registry's clock) every named check would answer from its
   * cache: the earliest expiry among them, `Infinity` for none, and `-Infinity` when one of them
   * would run (no cache, no result yet, or an expired one).
   */
  freshUntil(names: readonly string[]): number {
    let until = Number.POSITIVE_INFINITY;
    for (const name of names) {
      const check = this.#checks.get(name);
      if (!check?.last || check.cacheTtlMs <= 0) return Number.NEGATIVE_INFINITY;
      until = Math.min(until, check.last.finishedAt + check.cacheTtlMs);
    }
    return until;
  }

  /** Registers a check. Every mistake throws here, at registration, with the fix in the message. */
  add(name: string, fn: CheckFunction, options: CheckOptions = {}): void {
    if (typeof name !== 'string' || !CHECK_NAME.test(name)) {
      throw new LameduckConfigError(
        `invalid check name ${describeValue(name)}: use 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit (it becomes part of the probe path, e.g. /readyz/db)`,
      );
    }
    if (name === RESERVED_NAME) {
      throw new LameduckConfigError(
        `"${RESERVED_NAME}" is reserved: probe output uses it for the lifecycle state line; name the check after what it checks`,
      );
    }
    if (this.#checks.has(name)) {
      throw new LameduckConfigError(
        `a check named "${name}" is already registered; give this one another name, or remove the first with removeCheck("${name}")`,
      );
    }
    if (typeof fn !== 'function') {
      throw new LameduckConfigError(
        `check "${name}" must be a function (signal) => Promise<void | details>, got ${describeValue(fn)}`,
      );
    }
    if (options === null || typeof options !== 'object') {
      throw new LameduckConfigError(
        `options of check "${name}" must be an object, got ${describeValue(options)}`,
      );
    }
    checkOptionKeys(options, CHECK_OPTION_KEYS, `check "${name}"`);
    const kinds = parseKinds(name, options.kind);
    const timeoutMs = durationOption(
      `timeoutMs of check "${name}"`,
      options.timeoutMs,
      this.#defaults.timeoutMs,
      {
        minMs: 1,
        maxMs: MAX_CHECK_DURATION_MS,
      },
    );
    if (options.critical !== undefined && typeof options.critical !== 'boolean') {
      throw new LameduckConfigError(
        `critical of check "${name}" must be true or false, got ${describeValue(options.critical)}`,
      );
    }
    // Liveness too: a client asking /livez 100 times a second must not run the check 100 times.
    const cacheTtlMs = durationOption(
      `cacheTtlMs of check "${name}"`,
      options.cacheTtlMs,
      this.#defaults.cacheTtlMs,
      { minMs: 0, maxMs: MAX_CHECK_DURATION_MS },
    );
    this.#bump(kinds);
    this.#checks.set(name, {
      name,
      fn,
      kinds,
      timeoutMs,
      critical: options.critical ?? true,
      cacheTtlMs,
    });
  }

  /** Forgets cached results, so the next probe sees fresh ones (called when the app becomes ready). */
  clearCache(): void {
    for (const check of this.#checks.values()) check.last = undefined;
    this.#bump(CHECK_KINDS);
  }

  remove(name: string): boolean {
    this.#bump(CHECK_KINDS);
    return this.#checks.delete(name);
  }

  /** Names of the checks of one kind, in registration order. */
  names(kind: CheckKind): string[] {
    return [...this.#checks.values()].filter((check) => check.kinds.has(kind)).map((check) => check.name);
  }

  has(name: string, kind: CheckKind): boolean {
    return this.#checks.get(name)?.kinds.has(kind) ?? false;
  }

  /** Runs the named checks of one kind (all of them by default) and returns their results in order. */
  run(kind: CheckKind, names: readonly string[] = this.names(kind)): Promise<CheckResult[]> {
    return Promise.all(
      names.map((name) => {
        const check = this.#checks.get(name);
        if (!check?.kinds.has(kind)) {
          // Callers pass names from names(); a check removed meanwhile is simply skipped.
          return undefined;
        }
        return this.#runOne(check);
      }),
    ).then((results) => results.filter((result): result is CheckResult => result !== undefined));
  }

  async #runOne(check: RegisteredCheck): Promise<CheckResult> {
    const now = this.#now();
    if (check.cacheTtlMs > 0 && check.last && now - check.last.finishedAt < check.cacheTtlMs) {
      return toResult(check, check.last.outcome, true);
    }
    if (check.abandonedSince !== undefined && !check.inflight) {
      return toResult(
        check,
        {
          ok: false,
          error: `not run: the call started ${now - check.abandonedSince} ms ago was abandoned at its ${check.timeoutMs} ms timeout and has not settled; a new call starts once it does (does the check honour its AbortSignal?)`,
          startedAt: now,
          durationMs: 0,
        },
        false,
      );
    }
    check.inflight ??= this.#call(check).finally(() => {
      check.inflight = undefined;
    });
    return toResult(check, await check.inflight, false);
  }

  /** Keeps a fresh outcome, and reports a change of status once per change (a first pass is no news). */
  #record(check: RegisteredCheck, outcome: Outcome): void {
    const finishedAt = this.#now();
    check.last = { outcome, finishedAt };
    if (this.#onResult && this.#checks.has(check.name)) this.#tellResult(check, outcome);
    this.#bump(check.kinds);
    const previous = check.reported;
    if (previous?.ok === outcome.ok || (previous === undefined && outcome.ok)) {
      check.reported ??= { ok: outcome.ok, since: finishedAt };
      return;
    }
    check.reported = { ok: outcome.ok, since: finishedAt };
    if (!this.#onTransition || !this.#checks.has(check.name)) return;
    try {
      this.#onTransition({
        name: check.name,
        critical: check.critical,
        ok: outcome.ok,
        ...(outcome.error === undefined ? {} : { error: outcome.error }),
        ...(previous === undefined ? {} : { previousForMs: finishedAt - previous.since }),
      });
    } catch {
      // A listener's bug must not change a check's result.
    }
  }

  #tellResult(check: RegisteredCheck, outcome: Outcome): void {
    const { name, critical, kinds } = check;
    const status = outcome.ok ? 'pass' : critical ? 'fail' : 'warn';
    const { startedAt, durationMs, error } = outcome;
    try {
      this.#onResult?.({
        name,
        kinds: [...kinds],
        status,
        critical,
        startedAt,
        durationMs,
        ...(error === undefined ? {} : { error }),
        cached: false,
      });
    } catch {
      // A listener's bug must not change a check's result.
    }
  }

  #call(check: RegisteredCheck): Promise<Outcome> {
    const startedAt = this.#now();
    const controller = new AbortController();
    const settled = invoke(check.fn, controller.signal);
    return new Promise<Outcome>((resolve) => {
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        check.abandonedSince = startedAt;
        controller.abort(new Error(`check "${check.name}" timed out after ${check.timeoutMs} ms`));
        const outcome = {
          ok: false,
          error: `timed out after ${check.timeoutMs} ms`,
          startedAt,
          durationMs: this.#now() - startedAt,
        };
        this.#record(check, outcome);
        resolve(outcome);
      }, check.timeoutMs);
      // A pending check must not keep a process that is otherwise done from exiting (Node only).
      (timer as { unref?: () => void }).unref?.();
      const finish = (partial: Pick<Outcome, 'ok' | 'error' | 'details'>) => {
        if (timedOut) {
          check.abandonedSince = undefined;
          return;
        }
        clearTimeout(timer);
        const outcome = { ...partial, startedAt, durationMs: this.#now() - startedAt };
        this.#record(check, outcome);
        resolve(outcome);
      };
      // invoke() never rejects; the second handler is there so that no future slip in it can
      // become an unhandled rejection or a check abandoned for good.
      settled.then(finish, () => finish({ ok: false, error: 'the check failed in an unexpected way' }));
    });
  }
}

/**
 * Calls a check and turns whatever it does (return, throw, reject, garbage) into an outcome.
 * Never rejects: the value is the check author's, and may be built to break whatever inspects
 * it (a revoked Proxy, a getter that throws); a rejection here would go unhandled and leave the
 * check abandoned for good.
 */
async function invoke(
  fn: CheckFunction,
  signal: AbortSignal,
): Promise<Pick<Outcome, 'ok' | 'error' | 'details'>> {
  let value: unknown;
  try {
    value = await fn(signal);
  } catch (thrown) {
    return { ok: false, error: describeThrown(thrown) };
  }
  try {
    return judge(value);
  } catch {
    return {
      ok: false,
      error:
        'the check returned a value that cannot be inspected (a revoked Proxy, or a getter that throws?); return nothing or a plain object of details to pass',
    };
  }
}

function judge(value: unknown): Pick<Outcome, 'ok' | 'error' | 'details'> {
  if (value === undefined || value === null) return { ok: true };
  if (value === false) {
    return {
      ok: false,
      error: 'the check returned false; to fail a check, throw an Error (returning a value means it passed)',
    };
  }
  if (!isPlainObject(value)) {
    return {
      ok: false,
      error: `the check returned ${describeValue(value)}; return nothing or a plain object of details to pass, throw an Error to fail`,
    };
  }
  // Details are read once, here: a copy taken now cannot change (or throw) when a probe
  // response is written later.
  let snapshot: CheckDetails | undefined;
  try {
    const json = JSON.stringify(value);
    if (typeof json === 'string') snapshot = JSON.parse(json) as CheckDetails;
  } catch {
    // Reported below.
  }
  if (snapshot === null || typeof snapshot !== 'object' || Array.isArray(snapshot)) {
    return {
      ok: false,
      error:
        'the check returned details that cannot be serialised to JSON (a circular reference, a BigInt, or a getter or toJSON that throws?)',
    };
  }
  return { ok: true, details: snapshot };
}

function isPlainObject(value: unknown): value is CheckDetails {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function parseKinds(name: string, kind: CheckOptions['kind']): ReadonlySet<CheckKind> {
  const list = kind === undefined ? ['readiness'] : Array.isArray(kind) ? kind : [kind];
  if (list.length === 0) {
    throw new LameduckConfigError(
      `kind of check "${name}" is an empty list; use one or more of ${CHECK_KINDS.join(', ')}`,
    );
  }
  for (const item of list) {
    if (!CHECK_KINDS.includes(item as CheckKind)) {
      throw new LameduckConfigError(
        `unknown kind ${describeValue(item)} for check "${name}"; use ${CHECK_KINDS.map((k) => `'${k}'`).join(', ')}`,
      );
    }
  }
  return new Set(list as CheckKind[]);
}

function toResult(check: RegisteredCheck, outcome: Outcome, cached: boolean): CheckResult {
  return {
    name: check.name,
    status: outcome.ok ? 'pass' : check.critical ? 'fail' : 'warn',
    critical: check.critical,
    startedAt: outcome.startedAt,
    durationMs: outcome.durationMs,
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
    ...(outcome.details === undefined ? {} : { details: outcome.details }),
    cached,
  };
}
