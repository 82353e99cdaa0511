import { describe, expect, it } from 'vitest';
import { decideParallel } from './parallel.js';

describe('decideParallel', () => {
  it('runs at once on a machine that is not busy, one after another on a busy one', () => {
    expect(decideParallel('auto', 3, { load1: 0.4, cpus: 2 })).toEqual({
      parallel: true,
      why: 'the machine is not busy (load average 0.40 on 2 CPU(s))',
    });
    expect(decideParallel('auto', 3, { load1: 1.5, cpus: 2 })).toMatchObject({ parallel: true });
    expect(decideParallel('auto', 3, { load1: 2, cpus: 2 })).toMatchObject({ parallel: false });
    expect(decideParallel('auto', 3, { load1: 12.5, cpus: 2 }).why).toBe(
      "the machine is busy (load average 12.50 on 2 CPU(s)); at once, the runs would starve each other's probes",
    );
  });

  it('follows --parallel and --sequential whatever the load, and never parallelises one run', () => {
    expect(decideParallel(true, 3, { load1: 30, cpus: 2 }).parallel).toBe(true);
    expect(decideParallel(false, 3, { load1: 0, cpus: 2 }).parallel).toBe(false);
    expect(decideParallel('auto', 1, { load1: 0, cpus: 2 }).parallel).toBe(false);
  });
});
