/**
 * A coarse clock for "when was this socket last active", cheap enough for every response: a
 * stamp is a read of a counter that a timer advances every TICK_MS, instead of a clock call
 * (`performance.now()` costs 0.1–0.2 µs on Node 20, a third of lameduck's whole budget per
 * request). The ticker runs only while stamps are being taken and stops after a quiet tick.
 *
 * Stamps are only ever used to ask "has this socket been quiet for at least N ms?", so the
 * clock answers with a lower bound that holds even on a blocked event loop: ticks are at least
 * TICK_MS apart (a late tick still counts one), so between a stamp taken in tick k and now, in
 * tick n, at least (n - k - 1) × TICK_MS have passed. A late timer can only make a socket look
 * more recently active than it was (it then gets more of the idle grace), never less.
 */
export const TICK_MS = 25;

let tick = 0;
/** When `tick` last advanced (performance.now() ms; a virtual tick after a pause). */
let tickedAt = 0;
let stampedSinceTick = false;
let ticker: ReturnType<typeof setInterval> | undefined;

/** The current tick, for an activity stamp. */
export function activityStamp(): number {
  stampedSinceTick = true;
  if (ticker === undefined) restart();
  return tick;
}

/** At least how long ago a stamp was taken, in ms (0 when it may have been a moment ago). */
export function quietForAtLeastMs(stamp: number): number {
  // While stopped, no stamp was taken since the last tick: the ticks that would have passed
  // since (whole TICK_MS periods) count too.
  const now = ticker === undefined ? tick + Math.floor((performance.now() - tickedAt) / TICK_MS) : tick;
  return Math.max(0, now - stamp - 1) * TICK_MS;
}

function restart(): void {
  const skipped = Math.floor((performance.now() - tickedAt) / TICK_MS);
  tick += skipped;
  tickedAt += skipped * TICK_MS;
  ticker = setInterval(advance, TICK_MS);
  // Never what keeps a process alive.
  ticker.unref();
}

function advance(): void {
  tick += 1;
  tickedAt = performance.now();
  if (stampedSinceTick) {
    stampedSinceTick = false;
    return;
  }
  // A whole tick without a stamp: stop until the next one. No stamp is younger than the tick
  // before this one, which keeps the virtual ticks counted while stopped a lower bound.
  clearInterval(ticker);
  ticker = undefined;
}
