// Where listen() binds: the same port and host rules as every adapter's listen() (PORT, else
// 8080; every interface by default), written as the address grpc-js's bindAsync takes.
import { isIPv6 } from 'node:net';
import { LameduckConfigError } from '@lameduck/core';
import { type ListenOptions, resolvePort } from '@lameduck/core/node';

/** Where the kubelet can reach the pod: every interface (IPv4 too, on a dual-stack host). */
export const ALL_INTERFACES = '::';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  /** What bindAsync takes: `host:port`, an IPv6 host in brackets. */
  readonly target: string;
}

export function listenAddress(
  options: ListenOptions,
  env: Readonly<Record<string, string | undefined>>,
): ListenAddress {
  const port = resolvePort(options.port, env.PORT);
  const host = options.host ?? ALL_INTERFACES;
  if (typeof host !== 'string' || host === '') {
    throw new LameduckConfigError(
      `host must be a host name or address like "0.0.0.0", got ${describe(host)}`,
    );
  }
  return { host, port, target: `${isIPv6(host) ? `[${host}]` : host}:${port}` };
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value).slice(0, 40);
}
