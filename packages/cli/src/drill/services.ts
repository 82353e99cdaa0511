import { basename, dirname, relative } from 'node:path';
import { naiveServerPath } from './baselines.js';
import type { Mode } from './modes.js';
import type { DrillOptions } from './options.js';
import { locateDemo } from './repository-demo.js';
import { type DrillSpec, loadSpec } from './spec.js';

/** What runs in one drill run's pods. */
export interface Service {
  mode: Mode;
  label: string;
  command: string[];
  cwd: string;
  /** What the pods run under: the manifest's Deployment, for naive without its preStop hook. */
  spec: DrillSpec;
  /** The Deployment as the manifest has it. */
  manifestSpec: DrillSpec;
}

/** The service for each run asked for, with the Deployment it runs under. */
export async function servicesFor(
  options: DrillOptions,
): Promise<{ services: Service[]; skipped: string[] }> {
  const overrides = options.replicas === undefined ? {} : { replicas: options.replicas };
  const demo =
    options.command.length > 0 || options.demo === undefined ? undefined : locateDemo(options.demo);
  // parseDrillArgs has made sure of a manifest: given, or the demo's.
  const manifest = options.manifest ?? (demo ? relative(process.cwd(), demo.manifest) : '');
  const underTest: Omit<Service, 'spec' | 'manifestSpec'> = demo
    ? {
        mode: 'lameduck',
        label: demo.name,
        command: [process.execPath, 'dist/server.js'],
        cwd: demo.directory,
      }
    : {
        mode: 'service',
        label: basename(options.command.at(-1) ?? options.command[0] ?? 'service'),
        command: options.command,
        cwd: process.cwd(),
      };
  const spec = await loadSpec([manifest], overrides);
  const services: Service[] = [];
  const skipped: string[] = [];
  const naive = naiveServerPath();
  const naiveService = { label: basename(naive), command: [process.execPath, naive], cwd: dirname(naive) };
  for (const mode of options.modes) {
    if (mode === 'naive') {
      // A naive deployment has no pause anywhere: no preStop hook either.
      services.push({
        mode,
        ...naiveService,
        spec: { ...spec, preStop: { type: 'none' } },
        manifestSpec: spec,
      });
    } else if (mode === 'naive-prestop') {
      if (spec.preStop.type === 'none')
        skipped.push('naive + preStop: the manifest has no preStop hook (it would be naive again)');
      else services.push({ mode, ...naiveService, spec, manifestSpec: spec });
    } else {
      services.push({ ...underTest, spec, manifestSpec: spec });
    }
  }
  return { services, skipped };
}
