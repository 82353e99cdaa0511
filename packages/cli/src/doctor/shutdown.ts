import { DEFAULT_DRAIN_TIMEOUT_MS, DEFAULT_HOOK_TIMEOUT_MS, ENV } from './defaults.js';
import { type Container, envNumber, programName, shellScript } from './workload.js';

/** The pause a preStop hook makes before the kubelet sends SIGTERM. */
export type PreStopPause =
  /** `lifecycle.preStop.sleep.seconds`: the kubelet sleeps; nothing runs in the image. */
  | { how: 'sleep'; seconds: number }
  /** `exec: [sleep, 5]` or `sh -c "sleep 5"`: needs those programs in the image. */
  | { how: 'exec-sleep'; seconds: number | undefined; command: string[] }
  /** httpGet, or an exec of something else: a pause of unknown length. */
  | { how: 'other' };

export function preStopPause(container: Container): PreStopPause | undefined {
  const handler = container.preStop;
  if (!handler) return undefined;
  if (handler.type === 'sleep') return { how: 'sleep', seconds: handler.seconds };
  if (handler.type === 'exec') {
    if (programName(handler.command) === 'sleep') {
      return { how: 'exec-sleep', seconds: sleepSeconds(handler.command[1]), command: handler.command };
    }
    const script = shellScript(handler.command);
    const sleep = script === undefined ? null : /(?:^|[\s;&|(])sleep\s+(\S+)/.exec(script);
    if (sleep) return { how: 'exec-sleep', seconds: sleepSeconds(sleep[1]), command: handler.command };
  }
  return { how: 'other' };
}

/** `sleep`'s argument: `5`, `5s`, `1.5`, `1m`. */
function sleepSeconds(argument: string | undefined): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(argument?.replace(/['"]/g, '') ?? '');
  if (!match) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** A number from the container's env, and whether it is lameduck's default instead. */
export interface Setting {
  name: string;
  ms: number;
  isDefault: boolean;
}

function setting(container: Container, name: string, fallbackMs: number): Setting {
  const ms = envNumber(container, name);
  return ms === undefined ? { name, ms: fallbackMs, isDefault: true } : { name, ms, isDefault: false };
}

/**
 * lameduck's in-app pause. Unset counts as 0: the doctor only knows what the manifest says, and
 * lameduck's own default (5 s when it sees KUBERNETES_SERVICE_HOST) is invisible from here.
 */
export function drainDelay(container: Container): Setting {
  return setting(container, ENV.drainDelay, 0);
}

export function drainTimeout(container: Container): Setting {
  return setting(container, ENV.drainTimeout, DEFAULT_DRAIN_TIMEOUT_MS);
}

export function hookTimeout(container: Container): Setting {
  return setting(container, ENV.hookTimeout, DEFAULT_HOOK_TIMEOUT_MS);
}

export function showSetting({ name, ms, isDefault }: Setting): string {
  return `${name} ${ms}${isDefault ? ' (default)' : ''}`;
}
