import { availableParallelism, loadavg } from 'node:os';

/**
 * Whether the runs of one drill go at once. They share the drill's own process (the kubelet's
 * probes, the load, the proxy): at once they take about a third of the time on an idle machine,
 * but on a busy one the probes time out and every run fails, lameduck's included. So `auto`
 * runs them at once only while the machine is not busy: the last minute's load average below the
 * number of CPUs (nothing waiting for one).
 */
export function decideParallel(
  option: boolean | 'auto',
  runs: number,
  machine: { load1: number; cpus: number } = { load1: loadavg()[0] ?? 0, cpus: availableParallelism() },
): { parallel: boolean; why: string } {
  if (runs < 2) return { parallel: false, why: 'one run' };
  if (option !== 'auto') return { parallel: option, why: option ? '--parallel' : '--sequential' };
  const idle = machine.load1 < machine.cpus;
  const load = `load average ${machine.load1.toFixed(2)} on ${machine.cpus} CPU(s)`;
  return idle
    ? { parallel: true, why: `the machine is not busy (${load})` }
    : {
        parallel: false,
        why: `the machine is busy (${load}); at once, the runs would starve each other's probes`,
      };
}
