import { createHash } from 'node:crypto';

// kube-proxy's iptables mode, as it writes its rules (pkg/proxy/iptables/proxier.go): a chain per
// Service port (KUBE-SVC-…), a chain per endpoint (KUBE-SEP-…), picked at random with
// `-m statistic --mode random --probability 1/n, 1/(n-1), …`, and a DNAT to the pod's address.
// A Service with no endpoint to use is REJECTed in the filter table. The whole state is written
// at every sync with `iptables-restore --noflush`: declaring a chain flushes it, and chains no
// longer used are declared and deleted (-X).

/** One Service port as kube-proxy sees it. */
export interface ServiceRules {
  /** "default/express-demo:http" */
  name: string;
  vip: string;
  port: number;
  endpoints: readonly {
    address: string;
    port: number;
    ready: boolean;
    serving: boolean;
    terminating: boolean;
  }[];
}

/** The mark kube-proxy sets on packets that need SNAT (its default masquerade bit, 14). */
const MASQ_MARK = '0x4000';

/** base32 (RFC 4648, as Go's base32.StdEncoding) of the SHA-256 of `text`, first 16 characters. */
export function hash16(text: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = createHash('sha256').update(text).digest();
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5 && out.length < 16) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= 16) break;
  }
  return out;
}

export function serviceChain(name: string): string {
  return `KUBE-SVC-${hash16(`${name}tcp`)}`;
}

export function endpointChain(name: string, endpoint: string): string {
  return `KUBE-SEP-${hash16(`${name}tcp${endpoint}`)}`;
}

/**
 * The endpoints kube-proxy sends new connections to: the ready ones; when none is ready, the
 * terminating ones that still pass readiness (KEP-1669, on by default since Kubernetes 1.26).
 */
export function usableEndpoints<T extends { ready: boolean; serving: boolean; terminating: boolean }>(
  endpoints: readonly T[],
): T[] {
  const ready = endpoints.filter((endpoint) => endpoint.ready);
  return ready.length > 0 ? ready : endpoints.filter((endpoint) => endpoint.serving && endpoint.terminating);
}

/** The jumps into kube-proxy's chains, written once when the node starts. */
export function baseRules(): string {
  return [
    '*filter',
    ':KUBE-SERVICES - [0:0]',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    'COMMIT',
    '*nat',
    ':KUBE-SERVICES - [0:0]',
    ':KUBE-POSTROUTING - [0:0]',
    ':KUBE-MARK-MASQ - [0:0]',
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    'COMMIT',
    '',
  ].join('\n');
}

/**
 * One full sync: the iptables-restore input for every Service, and the chains it leaves in place
 * (give them back as `previousChains` next time, so that stale ones are deleted).
 */
export function syncRules(
  services: readonly ServiceRules[],
  previousChains: ReadonlySet<string> = new Set(),
): { rules: string; chains: Set<string> } {
  const filter: string[] = ['*filter', ':KUBE-SERVICES - [0:0]'];
  const natChains: string[] = [
    ':KUBE-SERVICES - [0:0]',
    ':KUBE-POSTROUTING - [0:0]',
    ':KUBE-MARK-MASQ - [0:0]',
  ];
  const nat: string[] = [
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQ_MARK}`,
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`,
  ];
  const chains = new Set<string>();
  for (const service of [...services].sort((a, b) => a.name.localeCompare(b.name))) {
    const usable = usableEndpoints(service.endpoints);
    const destination = `-d ${service.vip}/32 -p tcp -m tcp --dport ${service.port}`;
    if (usable.length === 0) {
      filter.push(
        `-A KUBE-SERVICES -m comment --comment "${service.name} has no endpoints" ${destination} -j REJECT --reject-with icmp-port-unreachable`,
      );
      continue;
    }
    const svc = serviceChain(service.name);
    chains.add(svc);
    natChains.push(`:${svc} - [0:0]`);
    nat.push(`-A KUBE-SERVICES -m comment --comment "${service.name} cluster IP" ${destination} -j ${svc}`);
    const sorted = [...usable].sort((a, b) => compareAddresses(a.address, b.address));
    const endpointRules: string[] = [];
    sorted.forEach((endpoint, index) => {
      const target = `${endpoint.address}:${endpoint.port}`;
      const sep = endpointChain(service.name, target);
      chains.add(sep);
      natChains.push(`:${sep} - [0:0]`);
      const left = sorted.length - index;
      const statistic = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(10)}` : '';
      nat.push(`-A ${svc} -m comment --comment "${service.name} -> ${target}"${statistic} -j ${sep}`);
      endpointRules.push(
        `-A ${sep} -m comment --comment ${service.name} -s ${endpoint.address}/32 -j KUBE-MARK-MASQ`,
        `-A ${sep} -m comment --comment ${service.name} -p tcp -m tcp -j DNAT --to-destination ${target}`,
      );
    });
    nat.push(...endpointRules);
  }
  // Chains of the last sync that this one does not use: flushed by declaring them, then deleted.
  const stale = [...previousChains].filter((chain) => !chains.has(chain)).sort();
  for (const chain of stale) natChains.push(`:${chain} - [0:0]`);
  for (const chain of stale) nat.push(`-X ${chain}`);
  const rules = [...filter, 'COMMIT', '*nat', ...natChains, ...nat, 'COMMIT', ''].join('\n');
  return { rules, chains };
}

function compareAddresses(a: string, b: string): number {
  const octets = (address: string) => address.split('.').map(Number);
  const [x, y] = [octets(a), octets(b)];
  for (let index = 0; index < 4; index += 1) {
    const difference = (x[index] ?? 0) - (y[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
