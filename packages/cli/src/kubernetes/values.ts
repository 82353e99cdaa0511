// Manifests are untrusted input: every field may be missing or of the wrong type. These readers
// turn "not what Kubernetes expects" into `undefined` so that no rule ever throws on odd YAML.

export type Fields = Record<string, unknown>;

export function fields(value: unknown): Fields | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Fields) : undefined;
}

export function items(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function strings(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((item) => (typeof item === 'string' ? item : String(item)));
}

/** Label maps: Kubernetes keeps them as strings; YAML may have typed `version: 2` as a number. */
export function labels(value: unknown): Record<string, string> {
  const map = fields(value) ?? {};
  return Object.fromEntries(Object.entries(map).map(([key, label]) => [key, String(label)]));
}

/** An IntOrString field such as `maxUnavailable: 1` or `maxUnavailable: 25%`. */
export type Amount = { kind: 'number'; value: number } | { kind: 'percent'; value: number };

export function amount(value: unknown): Amount | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return { kind: 'number', value };
  if (typeof value !== 'string') return undefined;
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(value.trim());
  if (percent) return { kind: 'percent', value: Number(percent[1]) };
  if (/^\d+$/.test(value.trim())) return { kind: 'number', value: Number(value) };
  return undefined;
}

/** Resolves an amount against a replica count the way the Kubernetes controllers do. */
export function resolveAmount(value: Amount, replicas: number, round: 'up' | 'down'): number {
  if (value.kind === 'number') return value.value;
  const exact = (replicas * value.value) / 100;
  return round === 'up' ? Math.ceil(exact) : Math.floor(exact);
}

export function showAmount(value: Amount): string {
  return value.kind === 'percent' ? `${value.value}%` : String(value.value);
}

export function plural(amountOf: number, word: string): string {
  return `${amountOf} ${word}${amountOf === 1 ? '' : 's'}`;
}
