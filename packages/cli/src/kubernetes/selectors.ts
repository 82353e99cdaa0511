import { fields, items, labels, strings, text } from './values.js';

/**
 * Whether a LabelSelector (`matchLabels` and `matchExpressions`) selects pods with `podLabels`.
 * An absent selector selects nothing; an empty one (`{}`) selects every pod, as policy/v1 PDBs do.
 */
export function labelSelectorMatches(selector: unknown, podLabels: Record<string, string>): boolean {
  const spec = fields(selector);
  if (!spec) return false;
  if (!mapSelectorMatches(spec.matchLabels ?? {}, podLabels)) return false;
  return items(spec.matchExpressions).every((expression) => expressionMatches(expression, podLabels));
}

/** A Service's `spec.selector`: a plain map; absent or empty selects no pods (manual endpoints). */
export function serviceSelectorMatches(selector: unknown, podLabels: Record<string, string>): boolean {
  const wanted = labels(selector);
  return Object.keys(wanted).length > 0 && mapSelectorMatches(wanted, podLabels);
}

function mapSelectorMatches(selector: unknown, podLabels: Record<string, string>): boolean {
  return Object.entries(labels(selector)).every(([key, value]) => podLabels[key] === value);
}

function expressionMatches(expression: unknown, podLabels: Record<string, string>): boolean {
  const spec = fields(expression);
  const key = text(spec?.key);
  if (!spec || key === undefined) return false;
  const values = strings(spec.values) ?? [];
  const has = Object.hasOwn(podLabels, key);
  switch (text(spec.operator)) {
    case 'In':
      return has && values.includes(podLabels[key] as string);
    case 'NotIn':
      return !has || !values.includes(podLabels[key] as string);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}
