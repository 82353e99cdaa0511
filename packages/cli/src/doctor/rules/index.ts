import type { Rule } from '../rule.js';
import { kindNotChecked, removedApiVersion } from './api-version.js';
import { replicasWithAutoscaler } from './autoscaler.js';
import { awsDeregistrationPause, awsHealthCheckPath, awsReadinessGate } from './aws.js';
import { signalsNotForwarded } from './command.js';
import { noPodDisruptionBudget, noService } from './coverage.js';
import { envValueRefused, envVariableIgnored } from './env-values.js';
import { execProbeShellTool } from './exec-probe.js';
import { externalTrafficLocal } from './external-traffic.js';
import { gracePeriodTooShort } from './grace-period.js';
import { upstreamKeepAliveTimeout } from './keep-alive.js';
import { meshProxyExitsEarly } from './mesh.js';
import { noShutdownPause, pauseStacked, preStopExecSleep } from './pause.js';
import { pdbBlocksEviction, pdbUnhealthyEvictionPolicy } from './pdb.js';
import { probeTimeoutTooShort } from './probe-timeout.js';
import {
  livenessChecksReadiness,
  livenessMissing,
  livenessSameAsReadiness,
  readinessMissing,
  startupProbeMissing,
} from './probes.js';
import { replicasBelowTwo } from './replicas.js';
import { rolloutMaxUnavailable, rolloutRecreate } from './rollout.js';
import { sidecarGracePeriod } from './sidecar.js';
import { stopSignalNotHandled } from './stop-signal.js';

/** Every rule, in the order findings about one object are printed. */
export const rules: readonly Rule[] = [
  removedApiVersion,
  rolloutRecreate,
  rolloutMaxUnavailable,
  replicasBelowTwo,
  replicasWithAutoscaler,
  signalsNotForwarded,
  stopSignalNotHandled,
  noShutdownPause,
  preStopExecSleep,
  pauseStacked,
  envValueRefused,
  envVariableIgnored,
  gracePeriodTooShort,
  sidecarGracePeriod,
  readinessMissing,
  livenessMissing,
  livenessChecksReadiness,
  livenessSameAsReadiness,
  startupProbeMissing,
  probeTimeoutTooShort,
  execProbeShellTool,
  noService,
  externalTrafficLocal,
  awsReadinessGate,
  awsDeregistrationPause,
  awsHealthCheckPath,
  upstreamKeepAliveTimeout,
  meshProxyExitsEarly,
  noPodDisruptionBudget,
  pdbBlocksEviction,
  pdbUnhealthyEvictionPolicy,
  kindNotChecked,
];
