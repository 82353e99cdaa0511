// The types users of the fetch, Bun and Deno entries write: the model's, without the Node engine's
// (whose declarations need Node's own types).
export type {
  CheckDetails,
  CheckFunction,
  CheckKind,
  CheckOptions,
  CheckResult,
  HookFunction,
  HookOptions,
  Lameduck,
  LameduckOptions,
  LifecycleState,
  Logger,
  ProbePaths,
  ProbeReport,
  StateChange,
} from '@lameduck/core';
