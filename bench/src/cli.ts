#!/usr/bin/env node
/**
 * `pnpm bench`: lameduck against the bare frameworks and its peers. Every server runs in a
 * child process; the load generator (autocannon) runs here. See bench/README.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pin } from './child.js';
import type { BenchContext } from './context.js';
import { formatProfiles, type ProfileSummary, summariseProfiles } from './profile.js';
import { busyWarning, type Column, describeMachine, type Row, round, table } from './report.js';
import { DOCTOR_COLUMNS, runDoctorScale } from './scenarios/doctor-scale.js';
import { MEMORY_COLUMNS, runMemory } from './scenarios/memory.js';
import { OVERHEAD_COLUMNS, runOverhead, unsaturated } from './scenarios/overhead.js';
import { runProbeCost } from './scenarios/probe-cost.js';
import { PROBE_COLUMNS, runProbes } from './scenarios/probes.js';
import { runShutdown, SHUTDOWN_COLUMNS } from './scenarios/shutdown.js';
import { parseSettings, type Scenario, USAGE } from './settings.js';

const RUNNERS: Record<
  Scenario,
  { title: string; columns: Column[]; run: (context: BenchContext) => Promise<Row[]> }
> = {
  overhead: {
    title: 'Per-request overhead (hello world, keep-alive)',
    columns: OVERHEAD_COLUMNS,
    run: runOverhead,
  },
  'probe-cost': {
    title: 'Probe cost (node:http: a cached GET /readyz against a hello world, same load)',
    columns: OVERHEAD_COLUMNS,
    run: runProbeCost,
  },
  probes: { title: 'Probe storm (readiness check takes 50 ms)', columns: PROBE_COLUMNS, run: runProbes },
  shutdown: { title: 'Shutdown latency (SIGTERM → exit)', columns: SHUTDOWN_COLUMNS, run: runShutdown },
  memory: { title: 'Memory (heapUsed after forced GC)', columns: MEMORY_COLUMNS, run: runMemory },
  'doctor-scale': {
    title: 'lameduck doctor over growing renders (one child process a run)',
    columns: DOCTOR_COLUMNS,
    run: runDoctorScale,
  },
};

export interface ScenarioTiming {
  scenario: Scenario;
  seconds: number;
  /** 1-minute load average at the end: above the CPU count means other processes shared the CPUs. */
  loadAverageAtEnd: number;
  /** Highest 1-minute load average seen during the scenario (sampled every second). */
  loadAverageMax: number;
}

/** Samples the 1-minute load average every second, so a busy machine is noticed mid-run too. */
function watchLoad() {
  let max = loadavg()[0] ?? 0;
  const timer = setInterval(() => {
    max = Math.max(max, loadavg()[0] ?? 0);
  }, 1000);
  timer.unref();
  return {
    takeMax() {
      const seen = Math.max(max, loadavg()[0] ?? 0);
      max = loadavg()[0] ?? 0;
      return seen;
    },
    stop: () => clearInterval(timer),
  };
}

async function main(): Promise<number> {
  let settings: ReturnType<typeof parseSettings>;
  try {
    settings = parseSettings(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (settings === 'help') {
    console.log(USAGE);
    return 0;
  }
  const machine = describeMachine();
  const log = (message: string) => console.error(`[bench] ${message}`);
  // The load generator on CPU 0, each server on CPU 1: like a pod limited to one CPU, and the
  // two never fight over a core.
  const pinned = settings.pin && machine.cpus >= 2 && pin(process.pid, 0);
  const context: BenchContext = { settings, log, ...(pinned ? { serverCpu: 1 } : {}) };
  if (settings.cpuProf) {
    context.profileDir = join(
      fileURLToPath(new URL('..', import.meta.url)),
      'profiles',
      new Date().toISOString().replace(/[:.]/g, '-'),
    );
    mkdirSync(context.profileDir, { recursive: true });
  }
  const command = `pnpm bench${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
  const header = [
    `Machine: ${machine.cpus} × ${machine.model}, ${(machine.totalMemBytes / 2 ** 30).toFixed(1)} GiB, ${machine.platform}`,
    `Node ${machine.node}; load average at start ${machine.loadAverageAtStart}; ${pinned ? 'load generator on CPU 0, servers on CPU 1' : 'not pinned'}`,
    `Command: ${command} (mode ${settings.mode})`,
  ];
  if (settings.noInlining) {
    header.push(
      "note: overhead servers run with V8's inlining off (--no-inlining): every time is slower than in production; compare lameduck's share, not µs or req/s",
    );
  }
  if (machine.loadAverageAtStart > machine.cpus) {
    header.push(
      `warning: the machine is busy before the run (load average ${machine.loadAverageAtStart} on ${machine.cpus} CPUs): the figures will be noisy`,
    );
  }
  if (!settings.json) console.log(`${header.join('\n')}\n`);
  else for (const line of header) log(line);
  const watcher = watchLoad();
  const warnings: string[] = [];

  const rows: Row[] = [];
  const timings: ScenarioTiming[] = [];
  const started = performance.now();
  for (const scenario of settings.scenarios) {
    const runner = RUNNERS[scenario];
    const scenarioStarted = performance.now();
    log(`${scenario}: starting`);
    const scenarioRows = await runner.run(context);
    rows.push(...scenarioRows);
    const timing = {
      scenario,
      seconds: round((performance.now() - scenarioStarted) / 1000, 1),
      loadAverageAtEnd: round(loadavg()[0] ?? 0, 2),
      loadAverageMax: round(watcher.takeMax(), 2),
    };
    timings.push(timing);
    const scenarioWarnings = unsaturated(scenarioRows);
    const busy = busyWarning(machine.cpus, machine.loadAverageAtStart, timing.loadAverageMax);
    if (busy !== undefined) scenarioWarnings.push(busy);
    warnings.push(...scenarioWarnings.map((warning) => `${scenario}: ${warning}`));
    if (!settings.json) {
      console.log(`## ${runner.title}\n\n${table(runner.columns, scenarioRows)}\n`);
      console.log(
        `(${timing.seconds} s, load average ${timing.loadAverageAtEnd} at the end, up to ${timing.loadAverageMax})\n`,
      );
      for (const warning of scenarioWarnings) console.log(`> ${warning}\n`);
    } else {
      for (const warning of scenarioWarnings) log(warning);
    }
  }
  watcher.stop();
  let profiles: ProfileSummary[] = [];
  if (context.profileDir) {
    profiles = summariseProfiles(
      context.profileDir,
      settings.baselineCore === undefined ? [] : [settings.baselineCore],
    );
    for (const summary of profiles) {
      // Profiles are named <scenario>-<framework>-<variant>-round<N>.cpuprofile (see runPaired);
      // a summary adds up one child's rounds.
      const name = basename(summary.file);
      const row = rows.find((candidate) => candidate.profileName === name);
      const served = row?.profiledRequests;
      if (typeof served !== 'number' || served === 0) continue;
      summary.servedRequests = served;
      summary.busyUsPerRequest = round((summary.busyMs * 1000) / served, 2);
      summary.gcUsPerRequest = round((summary.gcMs * 1000) / served, 2);
      summary.lameduckUsPerRequest = round((summary.lameduckInclusiveMs * 1000) / served, 2);
    }
    if (!settings.json)
      console.log(`## CPU profiles (${context.profileDir})\n\n${formatProfiles(profiles)}\n`);
  }
  const totalSeconds = round((performance.now() - started) / 1000, 1);
  const { json: _json, out, ...shown } = settings;
  const document = JSON.stringify(
    { machine, command, pinned, settings: shown, totalSeconds, timings, warnings, rows, profiles },
    null,
    2,
  );
  if (out !== undefined) writeFileSync(out, `${document}\n`);
  if (settings.json) {
    console.log(document);
  } else {
    console.log(`Total ${totalSeconds} s.`);
  }
  return 0;
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(error);
  return 1;
});
