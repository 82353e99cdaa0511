import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

// Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe: commands
// on fd 3, answers on fd 4, each a JSON message ended by a NUL byte): no browser download, no
// dependency. Debian's chromium, installed by scripts/ensure-drill-tools.sh.

export function chromiumPath(): string | undefined {
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((path) =>
    existsSync(path),
  );
}

export interface Page {
  /** Evaluates an expression in the page and returns its value (JSON-serialisable). */
  evaluate<T>(expression: string): Promise<T>;
  /** A PNG of the whole page at the window's width. */
  screenshot(): Promise<Buffer>;
  close(): Promise<void>;
}

/** Opens `url` in a window `width` × `height` CSS pixels (scale 1) and waits for it to load. */
export async function openPage(url: string, width: number, height: number): Promise<Page> {
  const executable = chromiumPath();
  if (!executable) throw new Error('no chromium: run scripts/ensure-drill-tools.sh chromium');
  const profile = mkdtempSync(join(tmpdir(), 'lameduck-chromium-'));
  const browser: ChildProcess = spawn(
    executable,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      '--remote-debugging-pipe',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
  );
  const input = browser.stdio[3] as Writable;
  const output = browser.stdio[4] as Readable;
  let nextId = 0;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const listeners = new Set<(message: { method?: string; sessionId?: string }) => void>();
  let buffer = '';
  output.setEncoding('utf8');
  output.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\0'); end !== -1; end = buffer.indexOf('\0')) {
      const message = JSON.parse(buffer.slice(0, end)) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
        method?: string;
        sessionId?: string;
      };
      buffer = buffer.slice(end + 1);
      const waiter = message.id === undefined ? undefined : pending.get(message.id);
      if (waiter && message.id !== undefined) {
        pending.delete(message.id);
        if (message.error) waiter.reject(new Error(message.error.message));
        else waiter.resolve(message.result);
      } else for (const listener of listeners) listener(message);
    }
  });
  const send = <T>(method: string, params: object = {}, sessionId?: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  const close = async () => {
    try {
      await Promise.race([send('Browser.close'), new Promise((resolve) => setTimeout(resolve, 2000))]);
    } finally {
      const exited = new Promise((resolve) => {
        if (browser.exitCode !== null || browser.signalCode !== null) resolve(undefined);
        else browser.once('exit', resolve);
      });
      browser.kill('SIGKILL');
      await exited;
      // Chromium's helper processes can still be writing to the profile for a moment: best effort.
      try {
        rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
      } catch {
        // A leftover directory in the temporary directory is no test failure.
      }
    }
  };
  try {
    const { targetId } = await send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await send<{ sessionId: string }>('Target.attachToTarget', {
      targetId,
      flatten: true,
    });
    await send(
      'Emulation.setDeviceMetricsOverride',
      { width, height, deviceScaleFactor: 1, mobile: false },
      sessionId,
    );
    await send('Page.enable', {}, sessionId);
    const loaded = new Promise<void>((resolve) => {
      const listener = (message: { method?: string; sessionId?: string }) => {
        if (message.method === 'Page.loadEventFired' && message.sessionId === sessionId) {
          listeners.delete(listener);
          resolve();
        }
      };
      listeners.add(listener);
    });
    await send('Page.navigate', { url }, sessionId);
    await loaded;
    return {
      async evaluate<T>(expression: string): Promise<T> {
        const { result, exceptionDetails } = await send<{
          result: { value: T };
          exceptionDetails?: { text: string };
        }>('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true }, sessionId);
        if (exceptionDetails) throw new Error(`in the page: ${exceptionDetails.text}`);
        return result.value;
      },
      async screenshot(): Promise<Buffer> {
        const { cssContentSize } = await send<{ cssContentSize: { height: number } }>(
          'Page.getLayoutMetrics',
          {},
          sessionId,
        );
        const { data } = await send<{ data: string }>(
          'Page.captureScreenshot',
          {
            format: 'png',
            captureBeyondViewport: true,
            clip: { x: 0, y: 0, width, height: Math.ceil(cssContentSize.height), scale: 1 },
          },
          sessionId,
        );
        return Buffer.from(data, 'base64');
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Width and height of a PNG, from its IHDR chunk. */
export function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
