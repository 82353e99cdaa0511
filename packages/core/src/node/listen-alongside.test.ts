import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHard, connectRaw, listen } from '../../test/support/http.js';
import { listenAlongside } from './listen-alongside.js';

describe('listenAlongside', () => {
  it('listens only while someone else does, and always first', () => {
    const emitter = new EventEmitter();
    const calls: string[] = [];
    listenAlongside(emitter, 'upgrade', () => calls.push('ours'));
    expect(emitter.listenerCount('upgrade')).toBe(0);

    const theirs = () => calls.push('theirs');
    emitter.on('upgrade', theirs);
    expect(emitter.listenerCount('upgrade')).toBe(2);
    emitter.emit('upgrade');
    expect(calls).toEqual(['ours', 'theirs']);

    emitter.off('upgrade', theirs);
    expect(emitter.listenerCount('upgrade')).toBe(0);
  });

  it('joins listeners that were there before, and survives removeAllListeners', () => {
    const emitter = new EventEmitter();
    const calls: string[] = [];
    emitter.on('request', () => calls.push('theirs'));
    listenAlongside(emitter, 'request', () => calls.push('ours'));
    emitter.emit('request');
    expect(calls).toEqual(['ours', 'theirs']);

    emitter.removeAllListeners('request');
    expect(emitter.listenerCount('request')).toBe(0);
    emitter.once('request', () => calls.push('again'));
    emitter.emit('request');
    expect(calls).toEqual(['ours', 'theirs', 'ours', 'again']);
  });

  it('stops for good when disposed', () => {
    const emitter = new EventEmitter();
    const dispose = listenAlongside(emitter, 'x', () => {});
    emitter.on('x', () => {});
    dispose();
    expect(emitter.listenerCount('x')).toBe(1);
    emitter.on('x', () => {});
    expect(emitter.listenerCount('x')).toBe(2);
  });

  describe('on a real server', () => {
    const server = createServer((_request, response) => response.end('plain'));
    afterEach(() => closeHard(server));

    it('leaves an upgrade nobody handles to Node (served as a plain request)', async () => {
      listenAlongside(server, 'upgrade', () => {
        throw new Error('must not be called');
      });
      const port = await listen(server);
      const socket = await connectRaw(port);
      socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n');
      const reply = await new Promise<string>((resolve) =>
        socket.once('data', (chunk) => resolve(String(chunk))),
      );
      expect(reply).toMatch(/^HTTP\/1.1 200 OK/);
      expect(reply).toMatch(/plain$/);
      socket.destroy();
    });
  });
});
