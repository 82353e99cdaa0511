import {
  DEFAULT_CLEANUP_TIMEOUT_MS,
  DEFAULT_DRAIN_DELAY_IN_POD_MS,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_HOOK_TIMEOUT_MS,
  ENV,
} from './defaults.js';
import { envMs } from './env.js';
import { type Container, programName, shellScript } from './workload.js';

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

/**
 * Whether the preStop hook is a sleep of 0 s (`sleep.seconds: 0`, `sleep 0`): a hook that is there
 * but does not pause, so it must count as no pause at all, not as "some preStop".
 */
export function sleepsZero(pause: PreStopPause | undefined): boolean {
  return (pause?.how === 'sleep' || pause?.how === 'exec-sleep') && pause.seconds === 0;
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
  /** How the default is described: `default`, or `default in a pod`. */
  defaultNote?: string;
  /** Set through `valueFrom`: its value cannot be read from the manifest (the default stands in). */
  unreadable?: boolean;
  /** Set to a value the app refuses at startup (env-value-refused): the default stands in, never the value. */
  refused?: boolean;
}

function setting(container: Container, name: string, fallbackMs: number, defaultNote = 'default'): Setting {
  const read = envMs(container, name);
  if (read.state === 'set') return { name, ms: read.ms, isDefault: false };
  if (read.state === 'refused') {
    return {
      name,
      ms: fallbackMs,
      isDefault: true,
      defaultNote: `${defaultNote}; the value set is refused`,
      refused: true,
    };
  }
  const unreadable = container.envNames.has(name) && !container.env.has(name);
  return { name, ms: fallbackMs, isDefault: true, defaultNote, ...(unreadable ? { unreadable } : {}) };
}

/**
 * lameduck's in-app pause. Unset means lameduck's in-cluster default: every container in a pod has
 * KUBERNETES_SERVICE_HOST set, so a lameduck app pauses 5 s after SIGTERM unless told otherwise.
 */
export function drainDelay(container: Container): Setting {
  return setting(container, ENV.drainDelay, DEFAULT_DRAIN_DELAY_IN_POD_MS, 'default in a pod');
}

export function drainTimeout(container: Container): Setting {
  return setting(container, ENV.drainTimeout, DEFAULT_DRAIN_TIMEOUT_MS);
}

export function hookTimeout(container: Container): Setting {
  return setting(container, ENV.hookTimeout, DEFAULT_HOOK_TIMEOUT_MS);
}

/** The cleanup phase's budget: every cleanup hook shares it, so it alone counts, not the hooks. */
export function cleanupTimeout(container: Container): Setting {
  return setting(container, ENV.cleanupTimeout, DEFAULT_CLEANUP_TIMEOUT_MS);
}

export function showSetting({ name, ms, isDefault, defaultNote }: Setting): string {
  return `${name} ${ms}${isDefault ? ` (${defaultNote ?? 'default'})` : ''}`;
}
