import { type RacePod, runIdleRace } from '../drill/idle-race.js';
import { formatIdleRace } from '../drill/idle-race-table.js';
import { isUnderTest } from '../drill/modes.js';
import { podEnv } from '../drill/run.js';
import type { Service } from '../drill/services.js';
import { EXIT_FINDINGS, EXIT_OK, type Io } from './command.js';

/**
 * `lameduck drill --scenario idle-race`: no rollout. One pod of Node's default (the naive
 * baseline) and one of the service under test, each behind nginx three ways (ingress-nginx's 60 s
 * pool, an idle timeout below the pod's, no retry as an AWS ALB), bursts of requests with gaps
 * swept around the pod's measured idle close. Exit 1 when the service under test failed a request.
 */
export async function drillIdleRace(
  services: readonly Service[],
  json: boolean,
  io: Io,
  signal: AbortSignal,
): Promise<number> {
  const pods: RacePod[] = services.map((service) => ({
    role: isUnderTest(service.mode)
      ? service.mode === 'lameduck'
        ? 'lameduck'
        : 'service'
      : "Node's default",
    label: service.label,
    command: service.command,
    cwd: service.cwd,
    env: (port) => podEnv(service.spec, { name: `${service.spec.name}-idle-race`, version: 'v1', port }),
  }));
  io.stderr(
    `lameduck drill: idle-race: measuring each pod's idle close, then ${pods.length * 3} pods behind nginx at once…\n`,
  );
  const result = await runIdleRace(pods, signal);
  io.stdout(
    json
      ? `${JSON.stringify({ scenario: 'idle-race', ...result }, null, 2)}\n`
      : `${formatIdleRace(result)}\n`,
  );
  const underTest = result.cells.filter((cell) =>
    services.some((service) => isUnderTest(service.mode) && service.label === cell.pod),
  );
  return underTest.some((cell) => cell.failed > 0) ? EXIT_FINDINGS : EXIT_OK;
}
