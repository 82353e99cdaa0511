import type { EventEmitter } from 'node:events';

// biome-ignore lint/suspicious/noExplicitAny: listeners of Node's emitters take any arguments.
type Listener = (...args: any[]) => void;

/**
 * Listens for `event` first, but only while the application listens for it too.
 *
 * Node chooses a default behaviour from whether anybody listens: an `upgrade` or `connect`
 * nobody listens for destroys the socket, a `checkContinue` nobody listens for is answered with
 * 100 Continue, and a `request` listener on an HTTP/2 server switches its compatibility layer
 * on. lameduck has to see these events without changing what Node does with them, so it never
 * is the only listener. Returns a function that stops listening for good.
 */
export function listenAlongside(emitter: EventEmitter, event: string, listener: Listener): () => void {
  let listening = false;
  const othersListening = () => emitter.listeners(event).some((other) => other !== listener);
  const start = () => {
    if (listening) return;
    listening = true;
    emitter.prependListener(event, listener);
  };
  const stop = () => {
    if (!listening) return;
    listening = false;
    emitter.removeListener(event, listener);
  };
  // 'newListener' fires before the new listener is added, so ours ends up in front of it.
  const onNewListener = (name: string | symbol, added: Listener) => {
    if (name === event && added !== listener) start();
  };
  const onRemoveListener = (name: string | symbol, removed: Listener) => {
    if (name !== event) return;
    if (removed === listener) listening = false;
    else if (!othersListening()) stop();
  };
  if (othersListening()) start();
  emitter.on('newListener', onNewListener);
  emitter.on('removeListener', onRemoveListener);
  return () => {
    emitter.removeListener('newListener', onNewListener);
    emitter.removeListener('removeListener', onRemoveListener);
    stop();
  };
}
