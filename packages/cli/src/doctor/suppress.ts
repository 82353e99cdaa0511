import type { KubeObject } from '../kubernetes/manifest.js';
import { fields, text } from '../kubernetes/values.js';

/** On an object's metadata: the rules to skip for it, comma-separated (`*` for all). */
export const SKIP_ANNOTATION = 'lameduck.dev/doctor-skip';
/** On an object's metadata: why; shown in `--json` and SARIF with each skipped finding. */
export const SKIP_REASON_ANNOTATION = 'lameduck.dev/doctor-skip-reason';

/** Why `rule` is skipped on `object`, or undefined when it is not. */
export function suppression(object: KubeObject, rule: string): { reason: string } | undefined {
  const annotations = fields(fields(object.body.metadata)?.annotations);
  const skipped = text(annotations?.[SKIP_ANNOTATION]);
  if (skipped === undefined) return undefined;
  const rules = skipped.split(',').map((id) => id.trim());
  if (!rules.includes(rule) && !rules.includes('*')) return undefined;
  const reason = text(annotations?.[SKIP_REASON_ANNOTATION])?.trim();
  return { reason: reason || `no reason given (set ${SKIP_REASON_ANNOTATION})` };
}
