import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { describeCrash, listenForCrashes } from './crash.js';

describe('listenForCrashes', () => {
  it('calls back for each uncaught exception, beside other listeners, until stopped', () => {
    const source = new EventEmitter();
    const seen: string[] = [];
    source.on('uncaughtException', () => seen.push('tracker'));
    const stop = listenForCrashes(source as never, (_error, origin) => seen.push(`lameduck ${origin}`));
    source.emit('uncaughtException', new Error('x'), 'uncaughtException');
    stop();
    source.emit('uncaughtException', new Error('y'), 'uncaughtException');
    expect(seen).toEqual(['tracker', 'lameduck uncaughtException', 'tracker']);
    expect(source.listenerCount('uncaughtException')).toBe(1);
  });

  it('swallows a throw from its own callback (it would recurse)', () => {
    const source = new EventEmitter();
    listenForCrashes(source as never, () => {
      throw new Error('bug');
    });
    expect(() => source.emit('uncaughtException', new Error('x'), 'uncaughtException')).not.toThrow();
  });
});

describe('describeCrash', () => {
  it('gives the stack and says which kind of crash it was', () => {
    expect(describeCrash(new Error('boom'), 'uncaughtException')).toMatch(
      /^uncaught exception: Error: boom\n {4}at /,
    );
    expect(describeCrash(new Error('boom'), 'unhandledRejection')).toMatch(
      /^unhandled promise rejection: Error: boom/,
    );
  });

  it('never throws, whatever was thrown', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    expect(describeCrash(revoked.proxy, 'uncaughtException')).toBe(
      'uncaught exception: a value that cannot be printed',
    );
    expect(describeCrash(Object.create(null), 'uncaughtException')).toBe(
      'uncaught exception: a value that cannot be printed',
    );
    expect(describeCrash('just a string', 'uncaughtException')).toBe('uncaught exception: just a string');
    expect(describeCrash('x'.repeat(5000), 'uncaughtException')).toHaveLength(
      'uncaught exception: '.length + 4001,
    );
  });
});
