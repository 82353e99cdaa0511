// One SSE stream across a real SIGTERM, for every adapter: the fixture serves GET /events
// (`data: hello`, then, when the request's drainSignal aborts, `event: bye` and the end) and
// prints {"event":"listening","port":…}.
import { request } from 'node:http';
import { type ExitStatus, spawnNode } from './child-process.mjs';

export interface SseDrainReport {
  /** Everything the stream sent. */
  text: string;
  /** From the SIGTERM to the end of the stream, in ms. */
  endedAfterMs: number;
  exit: ExitStatus;
}

export async function sseAcrossSigterm(
  fixture: string,
  env: Record<string, string> = {},
): Promise<SseDrainReport> {
  const child = spawnNode(fixture, {
    env: { LAMEDUCK_DRAIN_DELAY_MS: '0', LAMEDUCK_DRAIN_TIMEOUT_MS: '5000', ...env },
  });
  const { port } = await child.waitForEvent('listening');
  let text = '';
  // Wrapped: resolving with the promise itself would wait for the end of the stream.
  const { ended } = await new Promise<{ ended: Promise<void> }>((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/events' }, (response) => {
      response.setEncoding('utf8');
      const done = new Promise<void>((finish) => {
        response.once('end', finish);
        response.once('error', () => finish());
        response.once('close', finish);
      });
      response.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('hello')) resolve({ ended: done });
      });
    })
      .on('error', reject)
      .end();
  });
  const signalledAt = performance.now();
  child.signal('SIGTERM');
  await ended;
  const endedAfterMs = performance.now() - signalledAt;
  return { text, endedAfterMs, exit: await child.exited };
}
