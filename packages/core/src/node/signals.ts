/** The part of `process` that signal handling needs; a fake in tests. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  removeListener(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

/**
 * Adds one listener per signal beside any the application or other libraries have (never
 * replacing them), and returns a function that removes exactly these listeners again.
 * Note that any listener at all stops Node's default action of dying by the signal: which is
 * why the shutdown exits explicitly when configured to.
 */
export function listenForSignals(
  source: SignalSource,
  signals: readonly NodeJS.Signals[],
  onSignal: (signal: NodeJS.Signals) => void,
): () => void {
  const listener = (signal: NodeJS.Signals) => onSignal(signal);
  for (const signal of signals) source.on(signal, listener);
  let listening = true;
  return () => {
    if (!listening) return;
    listening = false;
    for (const signal of signals) source.removeListener(signal, listener);
  };
}
