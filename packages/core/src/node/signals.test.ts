import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { listenForSignals, type SignalSource } from './signals.js';

function fakeProcess() {
  const emitter = new EventEmitter();
  return Object.assign(emitter, {
    send: (signal: NodeJS.Signals) => emitter.emit(signal, signal),
  }) as EventEmitter & SignalSource & { send(signal: NodeJS.Signals): void };
}

describe('listenForSignals', () => {
  it('calls back with the signal name, beside the listeners already there', () => {
    const target = fakeProcess();
    const seen: string[] = [];
    target.on('SIGTERM', () => seen.push('neighbour'));
    listenForSignals(target, ['SIGTERM', 'SIGINT'], (signal) => seen.push(signal));
    target.send('SIGTERM');
    target.send('SIGINT');
    target.send('SIGHUP');
    expect(seen).toEqual(['neighbour', 'SIGTERM', 'SIGINT']);
  });

  it('removes exactly its own listeners, once', () => {
    const target = fakeProcess();
    target.on('SIGTERM', () => {});
    const stop = listenForSignals(target, ['SIGTERM', 'SIGINT'], () => {});
    expect(target.listenerCount('SIGTERM')).toBe(2);
    stop();
    stop();
    expect(target.listenerCount('SIGTERM')).toBe(1);
    expect(target.listenerCount('SIGINT')).toBe(0);
  });

  it('listens for nothing when given no signals', () => {
    const target = fakeProcess();
    listenForSignals(target, [], () => {});
    expect(target.eventNames()).toEqual([]);
  });
});
