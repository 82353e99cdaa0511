import { describe, expect, it } from 'vitest';
import { endpointChain, hash16, serviceChain, syncRules, usableEndpoints } from './iptables-rules.js';

const endpoint = (
  address: string,
  conditions: { ready?: boolean; serving?: boolean; terminating?: boolean } = {},
) => ({
  address,
  port: 8080,
  ready: true,
  serving: true,
  terminating: false,
  ...conditions,
});

describe("kube-proxy's chain names", () => {
  it('are the ones kube-proxy computes (base32 of SHA-256, 16 characters)', () => {
    // Names from kube-proxy's own tests for Service port ns1/svc1:p80 and endpoint 10.180.0.1:80.
    expect(serviceChain('ns1/svc1:p80')).toBe('KUBE-SVC-XPGD46QRK7WJZT7O');
    expect(endpointChain('ns1/svc1:p80', '10.180.0.1:80')).toBe('KUBE-SEP-SXIVWICOYRO3J4NJ');
    expect(hash16('x')).toMatch(/^[A-Z2-7]{16}$/);
  });
});

describe('usableEndpoints', () => {
  it('uses ready endpoints, and terminating ones that still serve only when none is ready', () => {
    const ready = endpoint('10.231.0.2');
    const terminating = endpoint('10.231.0.3', { ready: false, terminating: true });
    const failing = endpoint('10.231.0.4', { ready: false, serving: false, terminating: true });
    expect(usableEndpoints([ready, terminating, failing])).toEqual([ready]);
    expect(usableEndpoints([terminating, failing])).toEqual([terminating]);
    expect(usableEndpoints([failing])).toEqual([]);
  });
});

describe('syncRules', () => {
  const service = { name: 'default/web:http', vip: '10.232.0.1', port: 80 };

  it('writes a chain per Service and per endpoint, picked with statistic probabilities 1/n, 1/(n-1)…', () => {
    const { rules, chains } = syncRules([
      { ...service, endpoints: [endpoint('10.231.0.10'), endpoint('10.231.0.9'), endpoint('10.231.0.2')] },
    ]);
    const svc = serviceChain(service.name);
    const sep = (address: string) => endpointChain(service.name, `${address}:8080`);
    const lines = rules.split('\n');
    expect(lines).toContain(
      `-A KUBE-SERVICES -m comment --comment "default/web:http cluster IP" -d 10.232.0.1/32 -p tcp -m tcp --dport 80 -j ${svc}`,
    );
    // Endpoints in address order; the last one takes whatever is left, with no statistic.
    expect(lines.filter((line) => line.startsWith(`-A ${svc} `))).toEqual([
      `-A ${svc} -m comment --comment "default/web:http -> 10.231.0.2:8080" -m statistic --mode random --probability 0.3333333333 -j ${sep('10.231.0.2')}`,
      `-A ${svc} -m comment --comment "default/web:http -> 10.231.0.9:8080" -m statistic --mode random --probability 0.5000000000 -j ${sep('10.231.0.9')}`,
      `-A ${svc} -m comment --comment "default/web:http -> 10.231.0.10:8080" -j ${sep('10.231.0.10')}`,
    ]);
    expect(lines).toContain(
      `-A ${sep('10.231.0.2')} -m comment --comment default/web:http -p tcp -m tcp -j DNAT --to-destination 10.231.0.2:8080`,
    );
    expect(chains).toEqual(new Set([svc, sep('10.231.0.2'), sep('10.231.0.9'), sep('10.231.0.10')]));
    // Two tables, each committed.
    expect(lines.filter((line) => line === 'COMMIT')).toHaveLength(2);
  });

  it('REJECTs a Service with nothing usable in the filter table, and deletes the chains it no longer uses', () => {
    const first = syncRules([{ ...service, endpoints: [endpoint('10.231.0.2')] }]);
    const { rules, chains } = syncRules(
      [
        {
          ...service,
          endpoints: [endpoint('10.231.0.2', { ready: false, serving: false, terminating: true })],
        },
      ],
      first.chains,
    );
    expect(chains.size).toBe(0);
    const [filter = '', nat = ''] = rules.split('*nat');
    expect(filter).toContain(
      '-A KUBE-SERVICES -m comment --comment "default/web:http has no endpoints" -d 10.232.0.1/32 -p tcp -m tcp --dport 80 -j REJECT',
    );
    for (const chain of first.chains) {
      expect(nat).toContain(`:${chain} - [0:0]`);
      expect(nat).toContain(`-X ${chain}`);
    }
  });

  it('sends new connections to terminating endpoints that still serve when no endpoint is ready', () => {
    const { rules } = syncRules([
      { ...service, endpoints: [endpoint('10.231.0.2', { ready: false, terminating: true })] },
    ]);
    expect(rules).toContain('-j DNAT --to-destination 10.231.0.2:8080');
    expect(rules).not.toContain('REJECT');
  });
});
