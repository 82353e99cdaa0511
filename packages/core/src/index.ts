export type {
  CheckDetails,
  CheckEvent,
  CheckFunction,
  CheckKind,
  CheckOptions,
  CheckResult,
  CheckStatus,
} from './checks.js';
export type { DrainOptions, DrainTimes } from './drain-options.js';
export { DRAIN_OPTION_KEYS, resolveDrainTimes } from './drain-options.js';
export type { EnvironmentOption, EnvironmentRow, EnvironmentSettings } from './environment.js';
export {
  defaultDrainDelayMs,
  ENVIRONMENT,
  GRACE_PERIOD_RANGE,
  GRACE_PERIOD_VARIABLE,
  KUBERNETES_VARIABLE,
  LEGACY_VARIABLES,
} from './environment.js';
export type {
  EnvironmentInspection,
  EnvironmentVerdict,
  ParsedValue,
  UnknownVariable,
} from './environment-parse.js';
export {
  gracePeriodSource,
  inspectEnvironment,
  knownVariables,
  parseEnvironmentValue,
  parseGracePeriodSeconds,
  readEnvironment,
  unknownVariables,
} from './environment-parse.js';
export { LameduckConfigError } from './errors.js';
export type { Hook, HookFunction, HookOptions, HookOutcome, HookPhase } from './hooks.js';
export { HookList, runCleanupPhase, runHook } from './hooks.js';
export type { HttpCheckOptions } from './http-check.js';
export { httpCheck } from './http-check.js';
export type { KeepAliveSetting, KeepAliveSource } from './keep-alive.js';
export {
  DEFAULT_KEEP_ALIVE_TIMEOUT_MS,
  MAX_KEEP_ALIVE_TIMEOUT_MS,
  MIN_KEEP_ALIVE_TIMEOUT_MS,
} from './keep-alive.js';
export type { Lifecycle } from './kit.js';
export { extendLifecycle, isProbePath, respondToFetch, respondToProbe } from './kit.js';
export type { Lameduck, LameduckEvents, LameduckOptions } from './lameduck.js';
export { createLameduck, LAMEDUCK_OPTION_KEYS } from './lameduck.js';
export type { LogFields, Logger } from './logger.js';
export { checkOptionKeys } from './option-keys.js';
export type { ProbePaths } from './paths.js';
export { DEFAULT_PROBE_PATHS } from './paths.js';
export type { ProbeQuery, ProbeReport } from './probe.js';
export type { ProbeDetail } from './probe-detail.js';
export {
  defaultProbeDetail,
  PROBE_DETAIL_VARIABLE,
  PROBE_DETAILS,
  parseProbeDetail,
  probeDetailOption,
} from './probe-detail.js';
export type { HeaderSource, ProbeRequest, ProbeResponse } from './respond.js';
export type { BudgetMode, BudgetTimes, ShutdownBudget, ShutdownBudgetInput } from './shutdown-budget.js';
export {
  BUDGET_VARIABLE,
  budgetMode,
  FIT_ORDER,
  FIXED_WAITS_MS,
  fitShutdownBudget,
  fittedMessage,
  HEADROOM_MS,
  overBudgetMessage,
  shutdownBudget,
} from './shutdown-budget.js';
export type { IgnoredTransition, LifecycleState, StateChange } from './states.js';
