// Starts the drain fixtures (test/fixtures/*.mjs) as real child processes, built package and all.
import { fileURLToPath } from 'node:url';
import { type ChildHandle, spawnNode } from 'lameduck-test-utils';

export interface RunningFixture extends ChildHandle {
  /** The HTTP/1 port (and, with the h2 and h2s features, `ports.h2` and `ports.h2s`). */
  port: number;
  ports: { http: number; h2?: number; h2s?: number };
}

export async function startFixture(
  name: 'drain-server.mjs' | 'naive-server.mjs' | 'websockets.mjs' | 'tracked-work.mjs',
  env: Record<string, string> = {},
): Promise<RunningFixture> {
  const child = spawnNode(fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url)), { env });
  const listening = await child.waitForEvent('listening');
  return Object.assign(child, { port: listening.port, ports: listening.ports ?? { http: listening.port } });
}

/** The fixture's log lines (lameduck's logger), as "level message". */
export function logLines(child: ChildHandle): string[] {
  return child.events('log').map((event) => `${event.level} ${event.message.replace('[lameduck] ', '')}`);
}
