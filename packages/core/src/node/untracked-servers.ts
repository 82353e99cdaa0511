import type { AttachableServer } from './server-kind.js';

/** The part of `process` this needs; `getActiveResourcesInfo` is Node 17.3+. */
export interface ResourceSource {
  getActiveResourcesInfo?: () => string[];
}

/** libuv handle names of a listening TCP or IPC server. */
const LISTENING_HANDLES = new Set(['TCPServerWrap', 'PipeServerWrap']);

/**
 * Listening servers in this process that lameduck does not track: an app started with
 * `app.listen()` instead of `lameduck.listen(app)`, or a second server never attached. SIGTERM
 * cannot drain what lameduck does not see, so a shutdown with any such server is not clean.
 * Counts handles, so it knows how many but not which; 0 when Node cannot tell.
 */
export function countUntrackedServers(
  attached: Iterable<AttachableServer>,
  source: ResourceSource = process,
): number {
  let info: string[] | undefined;
  try {
    info = source.getActiveResourcesInfo?.();
  } catch {
    return 0;
  }
  if (!Array.isArray(info)) return 0;
  let listening = 0;
  for (const name of info) if (LISTENING_HANDLES.has(name)) listening += 1;
  let tracked = 0;
  for (const server of attached) if ((server as { listening?: boolean }).listening) tracked += 1;
  return Math.max(0, listening - tracked);
}

/** The fix, for the log lines that report untracked servers. */
export const ATTACH_ADVICE =
  'start the server with lameduck.listen(app) instead of app.listen(), or call lameduck.attach(server) before server.listen()';
