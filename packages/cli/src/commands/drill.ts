import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { lagBetween } from '../drill/endpoints.js';
import { DrillError } from '../drill/errors.js';
import { chooseNetwork, runInNode } from '../drill/kernel-mode.js';
import { KernelNode } from '../drill/kernel-proxy.js';
import { isUnderTest, MODE_LABELS } from '../drill/modes.js';
import { type Network, userspaceNetwork } from '../drill/network.js';
import { behindNginx, killAllIngresses, nginxMissing } from '../drill/nginx-ingress.js';
import { DEFAULTS, type DrillOptions, parseDrillArgs } from '../drill/options.js';
import { decideParallel } from '../drill/parallel.js';
import { killAllPods } from '../drill/pod-process.js';
import { htmlReport, svgReport } from '../drill/report.js';
import { AbortError, type RunOptions, type RunResult, runDrill, runTogether } from '../drill/run.js';
import { type Service, servicesFor } from '../drill/services.js';
import { describeSpec, formatRuns, formatVerdict } from '../drill/table.js';
import { ManifestError } from '../kubernetes/manifest.js';
import { type Command, EXIT_FINDINGS, EXIT_OK, EXIT_UNUSABLE, type Io } from './command.js';
import { drillIdleRace } from './drill-idle-race.js';
import { drillNodeDrain } from './drill-node-drain.js';

/** Load before the rollout, and after the Service has settled on the new pods. */
const WARMUP_MS = 3000;
const COOLDOWN_MS = 2000;
const REQUEST_TIMEOUT_MS = 10_000;
const KEEP_ALIVE_SHARE = 0.5;
/** Behind an ingress: a share of POSTs (never retried by nginx) and clients with idle gaps over 5 s. */
const INGRESS_POST_SHARE = 0.25;
const INGRESS_IDLE_GAP_CLIENTS = 8;
const EXIT_INTERRUPTED = 130;

export const drill: Command = {
  name: 'drill',
  summary: 'simulate a Kubernetes rolling update under load with real processes, and count dropped requests',
  help() {
    return `usage: lameduck drill [options] --manifest <file> -- <start command...>
       lameduck drill [options] --demo <name>        (inside the lameduck repository)

Plays the parts of Kubernetes that decide whether a rolling update drops requests, with real
processes (on 127.0.0.1, or in network namespaces with --network kernel): pods (the service, each on its own PORT, with the manifest's env), the
kubelet (startup, readiness and liveness probes as the manifest says; preStop, SIGTERM, SIGKILL
at the grace period), the endpoints and kube-proxy (a TCP proxy that sends each new connection to
a ready pod and leaves established ones where they are; endpoint changes arrive after a lag) and
the Deployment controller (v1 → v2 within maxSurge and maxUnavailable). Steady load runs through
the Service the whole time and every request is counted.

By default it makes three runs under the manifest:
  naive            a plain service that calls server.close() on SIGTERM, preStop hook removed
                   (baselines/naive-server.mjs, shipped with the CLI)
  naive-prestop    the same service under the manifest as written (shown as "naive + preStop")
  service          your start command after -- (shown as "lameduck" for a --demo)

Options:
  --manifest <file>          the Deployment to simulate (with --demo: the demo's manifest)
  --demo <name>              in the lameduck repository only: express, koa, hono, node, fastify or
                             nestjs, that is apps/<name>-demo/dist/server.js under
                             apps/<name>-demo/k8s/manifests.yaml (how pnpm drill runs there)
  --scenario <name>          rolling-update (default): the runs above; node-drain: the service
                             under test on pods placed a, a, b of virtual nodes, nodes a and b
                             drained at once as kubectl drain does it (cordon, evictions through
                             the Eviction API, a 429 retried every 5 s), without a
                             PodDisruptionBudget and with maxUnavailable: 1, side by side
                             idle-race: no rollout; one pod of Node's default and one of the
                             service under test, each behind nginx three ways (ingress-nginx's
                             60 s pool, an idle timeout below the pod's, no retry as an AWS ALB),
                             bursts of 50 requests with gaps swept around the pod's measured idle
                             close
  --mode <runs>              all (default), or a comma-separated list of naive, naive-prestop,
                             lameduck (service is another name for the service under test)
  --parallel, --sequential   all runs at once, or one after the other. Default: at once unless
                             the machine is busy (load average at or above the CPUs), since the
                             runs share this process and on a busy machine the kubelet's probes
                             time out
  --network <where>          auto (default): kernel when run as root with ip, iptables-restore,
                             conntrack and nsenter, else userspace (and it says why in one line);
                             kernel: each pod in its own network namespace, the Service a virtual
                             IP with kube-proxy's iptables rules; userspace: pods on 127.0.0.1
                             behind a TCP proxy
  --ingress <proxy>          none (default): the load goes to the Service; nginx: through a real
                             nginx run as ingress-nginx runs it (Debian's nginx and
                             libnginx-mod-http-lua): straight to the pods' addresses, Ready
                             endpoints only, synced at most every 3.3 s and picked up by each
                             worker within 1 s, upstream keep-alive 60 s, 3 tries (POST never
                             sent twice); a quarter of the load is POST, and ${INGRESS_IDLE_GAP_CLIENTS} more
                             keep-alive clients wait 5.5-7 s between requests
  --replicas <n>             replicas instead of the manifest's
  --rate <n>                 requests per second through the Service (default ${DEFAULTS.rate}): half from
                             keep-alive clients, half on a new connection each
  --keep-alive-clients <n>   keep-alive clients sharing their half (default ${DEFAULTS.keepAliveClients})
  --lag-ms <ms|min-max>      endpoint propagation lag, drawn for each update (default ${DEFAULTS.lagMinMs}-${DEFAULTS.lagMaxMs};
                             with --ingress nginx ${DEFAULTS.ingressLagMinMs}-${DEFAULTS.ingressLagMaxMs}, the controller's informer, before its own sync)
  --path <path>              the path requested (default /)
  --ready-timeout <s>        a pod not ready this long after it started stops the drill (default ${DEFAULTS.readyTimeoutMs / 1000})
  --json                     print the runs as a JSON array instead of the table
  --report <file>            write a timeline of each run: .html or .svg
  --verbose                  print every event (pods, probes, endpoints) on stderr as it happens
  -h, --help                 show this help
  -- <command...>            your service's start command (needs --manifest), run in the current
                             directory as the pods of the service under test

Timings are the manifest's own seconds; nothing is scaled.
Exit status: 0 the service under test failed no request (with --scenario node-drain: its run with
the budget), 1 it failed some, 2 the drill could not run (bad manifest, a service that exits or
never becomes ready), 130 interrupted.
`;
  },
  async run(args, io) {
    const options = parseDrillArgs(args);
    if (options.help) {
      io.stdout(drill.help());
      return EXIT_OK;
    }
    let network: Network = userspaceNetwork;
    let kernel: KernelNode | undefined;
    let chosen: Awaited<ReturnType<typeof servicesFor>>;
    try {
      // Bad input first: its one line comes before any note about the network chosen.
      chosen = await servicesFor(options);
      const noNginx = options.ingress === 'nginx' ? nginxMissing() : undefined;
      if (noNginx) throw new DrillError(`--ingress nginx ${noNginx}`);
      // idle-race: one pod of each kind on 127.0.0.1 behind its own nginx, no Service, no namespaces.
      if (options.scenario === 'idle-race') network = userspaceNetwork;
      else if (options.nodeNamespace) network = kernel = await KernelNode.start(options.nodeNamespace);
      else {
        const choice = await chooseNetwork(options.network, io);
        if (choice.kind === 'kernel') return await runInNode(choice.node, args, io);
      }
      if (options.ingress === 'nginx') network = behindNginx(network);
    } catch (error) {
      if (!(error instanceof DrillError || error instanceof ManifestError)) throw error;
      io.stderr(`lameduck drill: ${error.message}\n`);
      return EXIT_UNUSABLE;
    }
    const interrupt = new AbortController();
    const onSignal = (signal: NodeJS.Signals) => {
      if (interrupt.signal.aborted) {
        // A second Ctrl-C: no more waiting.
        killAllPods();
        process.exit(EXIT_INTERRUPTED);
      }
      io.stderr(`lameduck drill: ${signal}, stopping every pod\n`);
      interrupt.abort();
    };
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const signal of signals) process.on(signal, onSignal);
    try {
      const underTest = chosen.services[0];
      if (options.scenario === 'idle-race')
        return await drillIdleRace(chosen.services, options.json, io, interrupt.signal);
      if (options.scenario === 'node-drain' && underTest) {
        const settings = {
          warmupMs: WARMUP_MS,
          cooldownMs: COOLDOWN_MS,
          requestTimeoutMs: REQUEST_TIMEOUT_MS,
          keepAliveShare: KEEP_ALIVE_SHARE,
          lag: lagBetween(options.lagMinMs, options.lagMaxMs),
        };
        return await drillNodeDrain(underTest, options, settings, io, interrupt.signal, network);
      }
      return await drillRuns(chosen, options, io, interrupt.signal, network);
    } catch (error) {
      if (error instanceof AbortError) {
        io.stderr('lameduck drill: interrupted\n');
        return EXIT_INTERRUPTED;
      }
      if (error instanceof DrillError || error instanceof ManifestError) {
        if (options.verbose && error instanceof DrillError)
          for (const line of error.details) io.stderr(`  | ${line}\n`);
        io.stderr(`lameduck drill: ${error.message}\n`);
        return EXIT_UNUSABLE;
      }
      throw error;
    } finally {
      for (const signal of signals) process.off(signal, onSignal);
      killAllPods();
      killAllIngresses();
      if (kernel) await kernel.close();
    }
  },
};

async function drillRuns(
  { services, skipped }: Awaited<ReturnType<typeof servicesFor>>,
  options: DrillOptions,
  io: Io,
  signal: AbortSignal,
  network: Network,
): Promise<number> {
  const first = services[0];
  if (!first) return EXIT_OK;
  if (!options.json) io.stdout(`${header(options, services, skipped, network).join('\n')}\n\n`);
  const lag = lagBetween(options.lagMinMs, options.lagMaxMs);
  const runOptions = (service: Service): RunOptions => ({
    mode: service.mode,
    service: service.label,
    spec: service.spec,
    command: service.command,
    cwd: service.cwd,
    network,
    rate: options.rate,
    keepAliveClients: options.keepAliveClients,
    keepAliveShare: KEEP_ALIVE_SHARE,
    path: options.path,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    ...(options.ingress === 'nginx'
      ? { postShare: INGRESS_POST_SHARE, idleGapClients: INGRESS_IDLE_GAP_CLIENTS }
      : {}),
    lag,
    readyTimeoutMs: options.readyTimeoutMs,
    warmupMs: WARMUP_MS,
    cooldownMs: COOLDOWN_MS,
    signal,
    ...(options.verbose
      ? {
          onEvent: (event) =>
            io.stderr(
              `  ${(event.atMs / 1000).toFixed(3).padStart(8)} s  ${services.length > 1 ? `${MODE_LABELS[service.mode]}: ` : ''}${event.kind}${event.pod ? ` ${event.pod}` : ''}${event.detail ? `: ${event.detail}` : ''}\n`,
            ),
        }
      : {}),
  });
  const runs: RunResult[] = [];
  const atOnce = decideParallel(options.parallel, services.length);
  if (!atOnce.parallel) {
    if (services.length > 1) io.stderr(`lameduck drill: one run after another: ${atOnce.why}\n`);
    for (const [index, service] of services.entries()) {
      io.stderr(
        `lameduck drill: run ${index + 1}/${services.length}: ${MODE_LABELS[service.mode]} (${service.label})…\n`,
      );
      runs.push(await runDrill(runOptions(service)));
    }
  } else {
    io.stderr(
      `lameduck drill: ${services.length} runs at once (${atOnce.why}): ${services.map((service) => MODE_LABELS[service.mode]).join(', ')}…\n`,
    );
    runs.push(
      ...(await runTogether(
        services.map((service) => runOptions(service)),
        signal,
      )),
    );
  }
  if (options.json) {
    const manifest = first.manifestSpec;
    const settings = {
      manifest: manifest.file,
      deployment: manifest.name,
      replicas: manifest.replicas,
      maxSurge: manifest.maxSurge,
      maxUnavailable: manifest.maxUnavailable,
      rate: options.rate,
      keepAliveClients: options.keepAliveClients,
      lagMs: [options.lagMinMs, options.lagMaxMs],
      parallel: atOnce.parallel,
      network: network.kind,
      ingress: options.ingress,
    };
    const json = runs.map(({ records: _records, ...run }, index) => ({
      ...run,
      settings: { ...settings, preStop: services[index]?.spec.preStop },
    }));
    io.stdout(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    io.stdout(`${formatRuns(runs)}\n\n${runs.map(formatVerdict).join('\n')}\n`);
  }
  if (options.report) {
    await writeFile(options.report, /\.svg$/i.test(options.report) ? svgReport(runs) : htmlReport(runs));
    io.stderr(`lameduck drill: timeline written to ${options.report}\n`);
  }
  return runs.some((run) => isUnderTest(run.mode) && run.failed > 0) ? EXIT_FINDINGS : EXIT_OK;
}

function header(
  options: DrillOptions,
  services: readonly Service[],
  skipped: readonly string[],
  network: Network,
): string[] {
  const spec = services[0]?.manifestSpec;
  if (!spec) return [];
  const keepAlive = options.keepAliveClients > 0 ? Math.round(options.rate * KEEP_ALIVE_SHARE) : 0;
  const lag =
    options.lagMinMs === options.lagMaxMs
      ? `${options.lagMinMs} ms`
      : `${options.lagMinMs}–${options.lagMaxMs} ms, drawn for each update`;
  const lines = [
    `lameduck drill: a simulated rolling update v1 → v2 under load (real processes, no cluster)`,
    options.ingress === 'nginx'
      ? `network: ${network.kind} — ${network.kind === 'kernel' ? 'each pod in its own network namespace' : 'pods on 127.0.0.1'}; the load goes through nginx to the pods' own addresses (no Service VIP)`
      : network.kind === 'kernel'
        ? "network: kernel — each pod in its own network namespace, the Service a virtual IP with kube-proxy's iptables rules"
        : 'network: userspace — pods on 127.0.0.1, the Service a TCP proxy standing in for kube-proxy',
    ...(options.ingress === 'nginx'
      ? [
          `ingress: nginx as ingress-nginx runs it — Ready endpoints only, synced at most every 3.3 s, each worker's balancer refreshed every 1 s, no reload; upstream keep-alive 320 connections, 60 s, 10000 requests; proxy_next_upstream error timeout, 3 tries, POST not retried`,
        ]
      : []),
    ...describeSpec(spec).map((line, index) => `${index === 0 ? 'manifest: ' : '  '}${line}`),
    "  timings: the manifest's own seconds, nothing scaled",
    `load: ${options.rate} requests/s to ${options.ingress === 'nginx' ? `GET and POST (${INGRESS_POST_SHARE * 100}%)` : 'GET'} ${options.path} per run — ${keepAlive > 0 ? `${keepAlive}/s from ${options.keepAliveClients} keep-alive clients, ` : ''}${options.rate - keepAlive}/s on a new connection each${options.ingress === 'nginx' ? `, and ${INGRESS_IDLE_GAP_CLIENTS} keep-alive clients with 5.5–7 s between requests` : ''}; no retries`,
    `endpoint propagation lag${options.ingress === 'nginx' ? ' (to the ingress controller)' : ''}: ${lag}`,
  ];
  for (const service of services) {
    const label = MODE_LABELS[service.mode];
    if (service.mode === 'naive')
      lines.push(
        `${label}: ${service.label} (server.close() on SIGTERM)${spec.preStop.type === 'none' ? '' : ' with the preStop hook removed: no pause anywhere'}`,
      );
    else if (service.mode === 'naive-prestop')
      lines.push(`${label}: ${service.label} (server.close() on SIGTERM) under the manifest as written`);
    else
      lines.push(
        `${label}: ${service.command.map((part) => (part === process.execPath ? 'node' : part)).join(' ')} in ${relative(process.cwd(), service.cwd) || '.'}`,
      );
  }
  for (const line of skipped) lines.push(`skipped ${line}`);
  return lines;
}
