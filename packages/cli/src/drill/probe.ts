import { request } from 'node:http';
import { connect } from 'node:net';
import type { ProbeAction } from './spec.js';

export interface ProbeOutcome {
  ok: boolean;
  /** "200", "503", "timeout", "ECONNREFUSED"… */
  detail: string;
}

/**
 * One probe as the kubelet makes it: a new connection each time (the kubelet's HTTP prober
 * disables keep-alive), success for a status from 200 to 399, failure for anything else, for no
 * answer within the timeout, or for a connection that cannot be made.
 */
export function runProbe(
  action: ProbeAction,
  port: number,
  timeoutMs: number,
  host = '127.0.0.1',
): Promise<ProbeOutcome> {
  return action.type === 'httpGet'
    ? httpProbe(action.path, host, port, timeoutMs)
    : tcpProbe(host, port, timeoutMs);
}

function httpProbe(path: string, host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const probe = request(
      {
        host,
        port,
        path,
        agent: false,
        headers: { 'user-agent': 'kube-probe/1.34', accept: '*/*', connection: 'close' },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        response.resume();
        response.on('end', () => finish({ ok: status >= 200 && status < 400, detail: String(status) }));
        response.on('error', () => finish({ ok: false, detail: 'ECONNRESET' }));
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, detail: 'timeout' });
      probe.destroy();
    }, timeoutMs);
    probe.on('error', (error: NodeJS.ErrnoException) => finish({ ok: false, detail: error.code ?? 'error' }));
    probe.end();
  });
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ ok: false, detail: 'timeout' });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ok: true, detail: 'connected' });
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, detail: error.code ?? 'error' });
    });
  });
}
