/** The longest /slow a demo accepts: longer than any sensible drain timeout, short of abuse. */
export const MAX_SLOW_MS = 120_000;

export const SLOW_USAGE = `ms must be a whole number of milliseconds from 0 to ${MAX_SLOW_MS}\n`;

/** Parses `/slow?ms=N`; undefined for anything but a whole number in range. */
export function parseSlowMs(raw: unknown): number | undefined {
  if (typeof raw !== 'string' || !/^\d{1,6}$/.test(raw)) return undefined;
  const ms = Number(raw);
  return ms <= MAX_SLOW_MS ? ms : undefined;
}
