import {
  defaultDrainDelayMs,
  ENVIRONMENT,
  type EnvironmentOption,
  type EnvironmentSettings,
  GRACE_PERIOD_RANGE,
  GRACE_PERIOD_VARIABLE,
  KUBERNETES_VARIABLE,
  LEGACY_VARIABLES,
} from './environment.js';
import { LameduckConfigError } from './errors.js';
import { keepAliveTimeoutOption } from './keep-alive.js';
import { PROBE_DETAIL_VARIABLE, parseProbeDetail } from './probe-detail.js';
import {
  BUDGET_VARIABLE,
  type BudgetMode,
  budgetMode,
  overBudgetMessage,
  shutdownBudget,
} from './shutdown-budget.js';

/**
 * The one reading of lameduck's environment. The app (at startup) and `lameduck doctor` (on a
 * manifest) both call these functions, so a value is accepted or refused the same way, with the
 * same message, in both.
 */

/** What one variable says: unset or empty (`value` undefined: the default applies), a number, or refused with the message the app throws. */
export type ParsedValue =
  | { readonly ok: true; readonly value: number | undefined }
  | { readonly ok: false; readonly message: string };

interface Unit {
  /** `milliseconds` or `seconds`. */
  readonly name: string;
  /** How many ms one unit is, to convert `20s` for the fix. */
  readonly ms: number;
}

const MILLISECONDS: Unit = { name: 'milliseconds', ms: 1 };
const SECONDS: Unit = { name: 'seconds', ms: 1000 };
const SUFFIX_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A row's rule beyond its range, as the app applies it (throwing its LameduckConfigError), so the
 * doctor refuses what the app refuses: a keep-alive timeout of 1..999 ms.
 */
const FURTHER_CHECKS: Partial<Record<EnvironmentOption, (variable: string, value: number) => unknown>> = {
  keepAliveTimeoutMs: keepAliveTimeoutOption,
};

/** Reads one of ENVIRONMENT's variables: digits only, within the row's minMs..maxMs. */
export function parseEnvironmentValue(option: EnvironmentOption, raw: string | undefined): ParsedValue {
  const { variable, defaultMs, minMs, maxMs } = ENVIRONMENT[option];
  const parsed = parseWhole(raw, {
    variable,
    unit: MILLISECONDS,
    min: minMs,
    max: maxMs,
    example: defaultMs,
  });
  const further = FURTHER_CHECKS[option];
  if (!parsed.ok || parsed.value === undefined || further === undefined) return parsed;
  try {
    further(variable, parsed.value);
  } catch (error) {
    if (!(error instanceof LameduckConfigError)) throw error;
    return { ok: false, message: error.message };
  }
  return parsed;
}

/**
 * Reads TERMINATION_GRACE_PERIOD_SECONDS: whole seconds, 0 to one day. Returns the grace period in
 * seconds (as written), not ms.
 */
export function parseGracePeriodSeconds(raw: string | undefined): ParsedValue {
  return parseWhole(raw, {
    variable: GRACE_PERIOD_VARIABLE,
    unit: SECONDS,
    min: GRACE_PERIOD_RANGE.minSeconds,
    max: GRACE_PERIOD_RANGE.maxSeconds,
    example: 30,
    note: ", the pod's terminationGracePeriodSeconds minus any preStop sleep",
  });
}

interface WholeSpec {
  readonly variable: string;
  readonly unit: Unit;
  readonly min: number;
  readonly max: number;
  readonly example: number;
  /** Said after the unit: what the number is. */
  readonly note?: string;
}

function parseWhole(raw: string | undefined, spec: WholeSpec): ParsedValue {
  const text = raw?.trim();
  if (text === undefined || text === '') return { ok: true, value: undefined };
  const { variable, unit, min, max } = spec;
  const got = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
  // A sign is refused even on "+5": the manifest should say exactly the number lameduck uses.
  if (/^-?\d+$/.test(text)) {
    const value = Number(text);
    if (value >= min && value <= max) return { ok: true, value };
    // Digits that are too many or negative are a number, only not one lameduck can wait for.
    return {
      ok: false,
      message: `${variable} is out of range ${min}..${max} (${unit.name}${spec.note ?? ''}), got ${got}; ${fix(spec, undefined)}`,
    };
  }
  return {
    ok: false,
    message: `${variable} must be a whole number of ${unit.name} from ${min} to ${max}${spec.note ?? ''}, got ${got}; ${fix(spec, meant(text, spec))}`,
  };
}

/** What a value that is not plain digits most likely meant, when that is a number in range: `20s` → 20000. */
function meant(text: string, spec: WholeSpec): { value: number; how: string } | undefined {
  const suffixed = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/i.exec(text);
  const value = suffixed
    ? (Number(suffixed[1]) * (SUFFIX_MS[suffixed[2]?.toLowerCase() ?? ''] ?? Number.NaN)) / spec.unit.ms
    : Number(text);
  if (!Number.isInteger(value) || value < spec.min || value > spec.max) return undefined;
  return { value, how: suffixed ? `in ${spec.unit.name}, without a unit` : 'in decimal digits alone' };
}

function fix(spec: WholeSpec, guess: { value: number; how: string } | undefined): string {
  return guess
    ? `write it ${guess.how}: ${spec.variable}=${guess.value}`
    : `for example ${spec.variable}=${spec.example}`;
}

/**
 * Reads lameduck's variables through `get` (Node's environment, `Deno.env.get`, ...), so every
 * runtime reads them the same way. Unset or empty variables are left out; the first value
 * `parseEnvironmentValue` refuses throws a LameduckConfigError with its message.
 */
export function readEnvironment(get: (name: string) => string | undefined): EnvironmentSettings {
  const settings: EnvironmentSettings = {};
  for (const option of Object.keys(ENVIRONMENT) as EnvironmentOption[]) {
    const parsed = parseEnvironmentValue(option, get(ENVIRONMENT[option].variable));
    if (!parsed.ok) throw new LameduckConfigError(parsed.message);
    if (parsed.value !== undefined) settings[option] = parsed.value;
  }
  return settings;
}

/** One variable the app reads, as set, and whether the app accepts it. */
export interface EnvironmentVerdict {
  readonly variable: string;
  /** The value as set (before trimming). */
  readonly raw: string;
  /** Undefined when accepted; else the one line the app refuses to start with. */
  readonly message?: string;
}

/** What a set of variables makes of the app at startup, from the environment alone. */
export interface EnvironmentInspection {
  /** Every variable lameduck reads that is set, in ENVIRONMENT's order, then the grace period, LAMEDUCK_PROBE_DETAIL and LAMEDUCK_BUDGET. */
  readonly verdicts: readonly EnvironmentVerdict[];
  /** The numbers accepted (refused ones left out). */
  readonly settings: EnvironmentSettings;
  readonly gracePeriodSeconds?: number;
  readonly budget?: BudgetMode;
  /**
   * When every value is accepted but the shutdown cannot fit the grace period and the app is
   * told to refuse (LAMEDUCK_BUDGET=refuse): the app's message. Options in code are not seen, so
   * the defaults stand in for what the environment leaves unset.
   */
  readonly budgetRefusal?: string;
}

/**
 * Every verdict the app would give on these variables, each with the app's own message: what
 * `lameduck doctor` reports for a manifest. The app stops at the first refusal; this goes on.
 */
export function inspectEnvironment(get: (name: string) => string | undefined): EnvironmentInspection {
  const verdicts: EnvironmentVerdict[] = [];
  const settings: EnvironmentSettings = {};
  for (const option of Object.keys(ENVIRONMENT) as EnvironmentOption[]) {
    const raw = get(ENVIRONMENT[option].variable);
    const parsed = parseEnvironmentValue(option, raw);
    if (raw === undefined || (parsed.ok && parsed.value === undefined)) continue;
    if (parsed.ok) settings[option] = parsed.value;
    verdicts.push(verdict(ENVIRONMENT[option].variable, raw, parsed));
  }
  const graceRaw = get(GRACE_PERIOD_VARIABLE);
  const grace = parseGracePeriodSeconds(graceRaw);
  if (graceRaw !== undefined && !(grace.ok && grace.value === undefined)) {
    verdicts.push(verdict(GRACE_PERIOD_VARIABLE, graceRaw, grace));
  }
  const detailRaw = get(PROBE_DETAIL_VARIABLE);
  const detail = parseProbeDetail(detailRaw);
  if (detailRaw !== undefined && !(detail.ok && detail.value === undefined)) {
    verdicts.push(
      detail.ok
        ? { variable: PROBE_DETAIL_VARIABLE, raw: detailRaw }
        : { variable: PROBE_DETAIL_VARIABLE, raw: detailRaw, message: detail.message },
    );
  }
  const budgetRaw = get(BUDGET_VARIABLE);
  let budget: BudgetMode | undefined;
  try {
    budget = budgetMode(budgetRaw, BUDGET_VARIABLE);
    if (budget !== undefined && budgetRaw !== undefined)
      verdicts.push({ variable: BUDGET_VARIABLE, raw: budgetRaw });
  } catch (error) {
    verdicts.push({ variable: BUDGET_VARIABLE, raw: budgetRaw ?? '', message: (error as Error).message });
  }
  const gracePeriodSeconds = grace.ok ? grace.value : undefined;
  const inspection = {
    verdicts,
    settings,
    ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
    ...(budget === undefined ? {} : { budget }),
  };
  // From the environment the grace period defaults to fitting: only an explicit refuse refuses.
  if (gracePeriodSeconds === undefined || budget !== 'refuse' || verdicts.some((v) => v.message)) {
    return inspection;
  }
  const times = {
    drainDelayMs:
      settings.drainDelayMs ?? defaultDrainDelayMs({ [KUBERNETES_VARIABLE]: get(KUBERNETES_VARIABLE) }),
    drainTimeoutMs: settings.drainTimeoutMs ?? ENVIRONMENT.drainTimeoutMs.defaultMs,
    cleanupTimeoutMs: settings.cleanupTimeoutMs ?? ENVIRONMENT.cleanupTimeoutMs.defaultMs,
  };
  const gracePeriodMs = gracePeriodSeconds * 1000;
  if (shutdownBudget({ ...times, gracePeriodMs }).fits) return inspection;
  return {
    ...inspection,
    budgetRefusal: overBudgetMessage({
      ...times,
      gracePeriodMs,
      gracePeriodSource: gracePeriodSource(gracePeriodSeconds),
    }),
  };
}

/** How budget messages name an environment-given grace period. */
export function gracePeriodSource(seconds: number): string {
  return `${GRACE_PERIOD_VARIABLE}=${seconds}`;
}

function verdict(variable: string, raw: string, parsed: ParsedValue): EnvironmentVerdict {
  return parsed.ok ? { variable, raw } : { variable, raw, message: parsed.message };
}

/** Every variable lameduck reads. */
export function knownVariables(): readonly string[] {
  return [
    ...Object.values(ENVIRONMENT).map((row) => row.variable),
    GRACE_PERIOD_VARIABLE,
    BUDGET_VARIABLE,
    PROBE_DETAIL_VARIABLE,
  ];
}

/** A name that looks meant for lameduck but is not one it reads, and the known one it is closest to. */
export interface UnknownVariable {
  readonly name: string;
  readonly closest: string;
  /** The one warning line: the name, that it is ignored, and the fix. */
  readonly message: string;
}

/**
 * The names lameduck would ignore though they look meant for it: any other `LAMEDUCK_` name
 * (any case: `LAMEDUCK_DRAIN_DELAY`, `lameduck_drain_delay_ms`), and a name one or two letters
 * from a known one (`TERMINATION_GRACE_PERIOD_SECOND`). lameduck 0.1's names have their own
 * warning (`LEGACY_VARIABLES`).
 */
export function unknownVariables(names: Iterable<string>): UnknownVariable[] {
  const known = knownVariables();
  const legacy = new Set<string>(Object.values(LEGACY_VARIABLES));
  const found: UnknownVariable[] = [];
  for (const name of names) {
    if (known.includes(name) || legacy.has(name)) continue;
    const upper = name.toUpperCase();
    const ranked = known
      .map((candidate) => ({ candidate, distance: editDistance(upper, candidate) }))
      .sort((a, b) => a.distance - b.distance);
    const best = ranked[0];
    if (!best) continue;
    if (!/^LAMEDUCK_/.test(upper) && best.distance > 2) continue;
    const caseOnly = upper === best.candidate;
    found.push({
      name,
      closest: best.candidate,
      message: `${name} is not a variable lameduck reads${caseOnly ? ' (names are case-sensitive)' : ''}, so it is ignored; did you mean ${best.candidate}? Rename it in the manifest`,
    });
  }
  return found;
}

/** Levenshtein distance: the fewest one-letter edits from a to b. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
