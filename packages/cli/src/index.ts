export { diagnose, formatFinding } from './doctor/diagnose.js';
export type { KubeObject, ReadOptions } from './doctor/manifest.js';
export { ManifestError, parseManifest, readManifests, STDIN_NAME } from './doctor/manifest.js';
export type { Finding, Report, Rule } from './doctor/rule.js';
export { rules } from './doctor/rules/index.js';
export type { Container, Handler, Probe, ProbeKind, Workload } from './doctor/workload.js';
export { toWorkload } from './doctor/workload.js';
