import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The kernel's range for the local ports of outgoing connections. A pod's port must lie outside
 * it: the load opens hundreds of connections a second, and one of them could take a port between
 * the moment it is picked and the moment the pod listens on it.
 */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low !== undefined && high !== undefined && Number.isInteger(low) && Number.isInteger(high))
      return [low, high];
  } catch {
    // Not Linux: the IANA dynamic range, which macOS and Windows use.
  }
  return [49152, 65535];
}

const PORTS_FROM = 10_000;

/** Where pods' ports are drawn from: below the ephemeral range when there is room, else anywhere. */
export function podPortRange(range: [number, number] = ephemeralRange()): [number, number] | undefined {
  const [low, high] = range;
  if (low - PORTS_FROM >= 1000) return [PORTS_FROM, low - 1];
  if (65535 - high >= 1000) return [high + 1, 65535];
  return undefined;
}

const range = podPortRange();

/** A port on 127.0.0.1 that nothing listens on right now, outside the ephemeral range if possible. */
export async function freePort(): Promise<number> {
  if (range) {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const port = range[0] + Math.floor(Math.random() * (range[1] - range[0] + 1));
      if (await canListen(port)) return port;
    }
  }
  return listenOn(0);
}

async function canListen(port: number): Promise<boolean> {
  try {
    await listenOn(port);
    return true;
  } catch {
    return false;
  }
}

function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const chosen = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(chosen));
    });
  });
}
