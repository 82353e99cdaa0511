// Types for demo-files.mjs (plain JavaScript so that the generator runs with bare node).

export declare const DEMOS: readonly string[];
export declare const IMAGE_VERSION: string;
export declare const CONTAINER_PORT: number;

export declare const BUDGET: Readonly<{
  preStopSleepSeconds: number;
  inAppDrainDelayMs: number;
  drainTimeoutMs: number;
  hookTimeoutMs: number;
  cleanupTimeoutMs: number;
  checkTimeoutMs: number;
}>;

export interface Variant {
  readonly name: string;
  /** Relative to the demo's directory. */
  readonly file: string;
  readonly title: string;
  readonly preStopSleepSeconds: number;
  readonly drainDelayMs: number;
}

export declare const VARIANTS: readonly Variant[];

export interface VariantBudget {
  terminationGracePeriodSeconds: number;
  /** TERMINATION_GRACE_PERIOD_SECONDS: what the app counts from SIGTERM. */
  appGracePeriodSeconds: number;
  appWorstCaseMs: number;
  explanation: string;
}

export declare function budgetFor(variant: Variant): VariantBudget;

export interface ProbeSpec {
  path: string;
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
}

export declare const PROBES: Readonly<Record<'startupProbe' | 'readinessProbe' | 'livenessProbe', ProbeSpec>>;

/** Kubernetes objects as plain data: Deployment, Service, PodDisruptionBudget. */
// biome-ignore lint/suspicious/noExplicitAny: free-form Kubernetes objects.
export declare function manifestObjects(demo: string, variant: Variant): any[];
export declare function renderManifest(demo: string, variant: Variant): string;
export declare function renderDockerfile(demo: string): string;
export declare function renderAll(): { path: string; content: string }[];
