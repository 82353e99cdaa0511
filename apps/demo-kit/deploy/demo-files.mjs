// The one source of truth for every demo's deployment files: the Kubernetes manifests (one per
// cluster generation) and the Dockerfile. `node scripts/generate-manifests.mjs` writes them;
// demo-kit's tests fail when a committed file differs from what this module renders, and check
// every document against the Kubernetes API schema and `lameduck doctor`.
//
// Plain JavaScript (with demo-files.d.mts beside it) so the generator runs with bare `node`.
import {
  ENVIRONMENT,
  FIXED_WAITS_MS,
  GRACE_PERIOD_VARIABLE,
  HEADROOM_MS,
  shutdownBudget,
} from '@lameduck/core';
import { Document } from 'yaml';

/** The demos that get deployment files. node-demo joins when it moves onto demo-kit. */
export const DEMOS = ['express-demo', 'fastify-demo', 'hono-demo', 'koa-demo', 'nestjs-demo', 'node-demo'];

/** The image tag the manifests name, and the README's `docker build -t`. */
export const IMAGE_VERSION = '0.1.0';

export const CONTAINER_PORT = 8080;

/**
 * Every timing number, in one place. The grace periods below are computed from these, never
 * typed: change one and regenerate.
 */
export const BUDGET = Object.freeze({
  /** The pause before SIGTERM: the kubelet's native sleep (Kubernetes 1.30 or newer). */
  preStopSleepSeconds: 5,
  /** The same pause inside the app, for clusters without the native sleep action. */
  inAppDrainDelayMs: 5_000,
  /** In-flight requests after the listener closes (lameduck's default). */
  drainTimeoutMs: 20_000,
  /** Each cleanup hook's cap (lameduck's default). */
  hookTimeoutMs: 5_000,
  /**
   * The whole cleanup phase (lameduck's default), shared by every cleanup hook: 'postgres-pool'
   * when DATABASE_URL is set, and in fastify-demo and nestjs-demo the framework's own app.close().
   */
  cleanupTimeoutMs: 5_000,
  /** A health check gives up after this; every probe's timeoutSeconds must be longer. */
  checkTimeoutMs: 500,
});

/**
 * The two ways to pause between "pod deleted" and "listener closed" — exactly one per manifest.
 * `file` is relative to the demo's directory.
 */
export const VARIANTS = Object.freeze([
  Object.freeze({
    name: 'native-sleep',
    file: 'k8s/manifests.yaml',
    title:
      'Kubernetes 1.30 or newer: the kubelet pauses with a native preStop sleep; LAMEDUCK_DRAIN_DELAY_MS is 0',
    preStopSleepSeconds: BUDGET.preStopSleepSeconds,
    drainDelayMs: 0,
  }),
  Object.freeze({
    name: 'pre-1.30',
    file: 'k8s/variants/pre-1.30.yaml',
    title:
      'Clusters older than 1.30 (no native preStop sleep): no preStop hook; the app pauses itself with LAMEDUCK_DRAIN_DELAY_MS',
    preStopSleepSeconds: 0,
    drainDelayMs: BUDGET.inAppDrainDelayMs,
  }),
]);

/**
 * The budget of one variant. The grace timer starts before preStop, so the pod's grace period
 * covers the sleep; lameduck's own startup check counts from SIGTERM, so it gets the grace
 * period minus the sleep.
 */
export function budgetFor(variant) {
  // core's shutdownBudget(): the function the app checks itself with and `lameduck doctor` uses.
  const budget = shutdownBudget({
    drainDelayMs: variant.drainDelayMs,
    drainTimeoutMs: BUDGET.drainTimeoutMs,
    cleanupTimeoutMs: BUDGET.cleanupTimeoutMs,
  });
  const appWorstCaseMs = budget.worstCaseMs;
  const neededMs = variant.preStopSleepSeconds * 1000 + budget.neededMs;
  const terminationGracePeriodSeconds = Math.ceil(neededMs / 1000);
  const appGracePeriodSeconds = terminationGracePeriodSeconds - variant.preStopSleepSeconds;
  if (variant.preStopSleepSeconds > 0 && variant.drainDelayMs > 0) {
    throw new Error(`${variant.name}: a preStop sleep and an in-app drain delay would stack two pauses`);
  }
  if (budget.neededMs > appGracePeriodSeconds * 1000) {
    throw new Error(`${variant.name}: the app's worst case ${appWorstCaseMs} ms exceeds its grace period`);
  }
  const explanation =
    `preStop ${variant.preStopSleepSeconds} s + ${ENVIRONMENT.drainDelayMs.variable} ${variant.drainDelayMs} + ` +
    `${ENVIRONMENT.drainTimeoutMs.variable} ${BUDGET.drainTimeoutMs} + lameduck's own waits ${FIXED_WAITS_MS} + ` +
    `${ENVIRONMENT.cleanupTimeoutMs.variable} ${BUDGET.cleanupTimeoutMs} + headroom ${HEADROOM_MS} = ${neededMs / 1000} s`;
  return { terminationGracePeriodSeconds, appGracePeriodSeconds, appWorstCaseMs, explanation };
}

/** The three probes. The kubelet's timeoutSeconds stays above the checks' timeout, so /readyz answers 503 naming the check instead of the kubelet giving up with no reason. */
export const PROBES = Object.freeze({
  startupProbe: { path: '/startupz', periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 30 },
  readinessProbe: { path: '/readyz', periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 2 },
  livenessProbe: { path: '/livez', periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3 },
});

const PROBE_COMMENTS = {
  startupProbe: 'up to 30 s to start, checked every second; liveness and readiness wait for it',
  readinessProbe:
    '"send me traffic?": lifecycle state and critical dependencies (postgres); out after 2 misses (~10 s)',
  livenessProbe: '"restart me?": the process only, never a dependency; restarted after 3 misses (~30 s)',
};

function probe({ path, periodSeconds, timeoutSeconds, failureThreshold }) {
  if (timeoutSeconds * 1000 <= BUDGET.checkTimeoutMs) {
    throw new Error(
      `${path}: timeoutSeconds ${timeoutSeconds} is not above ${ENVIRONMENT.checkTimeoutMs.variable} ${BUDGET.checkTimeoutMs}`,
    );
  }
  return { httpGet: { path, port: 'http' }, periodSeconds, timeoutSeconds, failureThreshold };
}

const labelsOf = (demo) => ({ 'app.kubernetes.io/name': demo, 'app.kubernetes.io/part-of': 'lameduck' });
const selectorOf = (demo) => ({ 'app.kubernetes.io/name': demo });

/** The distroless image's nonroot user; numeric so the kubelet can verify runAsNonRoot. */
const NONROOT_ID = 65532;

function deployment(demo, variant) {
  const budget = budgetFor(variant);
  const env = [
    { name: 'PORT', value: String(CONTAINER_PORT) },
    { name: ENVIRONMENT.drainDelayMs.variable, value: String(variant.drainDelayMs) },
    { name: ENVIRONMENT.drainTimeoutMs.variable, value: String(BUDGET.drainTimeoutMs) },
    { name: ENVIRONMENT.hookTimeoutMs.variable, value: String(BUDGET.hookTimeoutMs) },
    { name: ENVIRONMENT.cleanupTimeoutMs.variable, value: String(BUDGET.cleanupTimeoutMs) },
    { name: ENVIRONMENT.checkTimeoutMs.variable, value: String(BUDGET.checkTimeoutMs) },
    { name: GRACE_PERIOD_VARIABLE, value: String(budget.appGracePeriodSeconds) },
    {
      name: 'DATABASE_URL',
      valueFrom: { secretKeyRef: { name: `${demo}-postgres`, key: 'url', optional: true } },
    },
  ];
  const container = {
    name: demo,
    image: `lameduck/${demo}:${IMAGE_VERSION}`,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ name: 'http', containerPort: CONTAINER_PORT, protocol: 'TCP' }],
    env,
    ...(variant.preStopSleepSeconds > 0
      ? { lifecycle: { preStop: { sleep: { seconds: variant.preStopSleepSeconds } } } }
      : {}),
    startupProbe: probe(PROBES.startupProbe),
    readinessProbe: probe(PROBES.readinessProbe),
    livenessProbe: probe(PROBES.livenessProbe),
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { cpu: '1', memory: '256Mi' },
    },
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: demo, labels: labelsOf(demo) },
    spec: {
      replicas: 3,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorOf(demo) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: labelsOf(demo) },
        spec: {
          terminationGracePeriodSeconds: budget.terminationGracePeriodSeconds,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: NONROOT_ID,
            runAsGroup: NONROOT_ID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [container],
        },
      },
    },
  };
}

function service(demo) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: demo, labels: labelsOf(demo) },
    spec: {
      selector: selectorOf(demo),
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

function podDisruptionBudget(demo) {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: demo, labels: labelsOf(demo) },
    spec: {
      maxUnavailable: 1,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
      selector: { matchLabels: selectorOf(demo) },
    },
  };
}

/** The objects of one demo's manifest, as plain data (what the YAML says). */
export function manifestObjects(demo, variant) {
  return [deployment(demo, variant), service(demo), podDisruptionBudget(demo)];
}

const CONTAINER = ['spec', 'template', 'spec', 'containers', 0];

/** Sets a comment on the key at `path` (above it) or on its scalar value (`inline`). */
function annotate(doc, path, text, { inline = false } = {}) {
  const parent = doc.getIn(path.slice(0, -1), true);
  const key = path.at(-1);
  const pair = parent?.items?.find((item) => item.key?.value === key);
  if (pair === undefined) throw new Error(`annotate: nothing at ${path.join('.')}`);
  if (inline) pair.value.comment = ` ${text}`;
  else pair.key.commentBefore = ` ${text}`;
}

function envIndex(objects, name) {
  return objects[0].spec.template.spec.containers[0].env.findIndex((entry) => entry.name === name);
}

function deploymentDocument(variant, objects) {
  const doc = new Document(objects[0]);
  const budget = budgetFor(variant);
  const env = (name) => [...CONTAINER, 'env', envIndex(objects, name), 'value'];
  annotate(
    doc,
    ['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'],
    'never stop a pod before its replacement is ready',
    {
      inline: true,
    },
  );
  annotate(doc, ['spec', 'template', 'spec', 'terminationGracePeriodSeconds'], budget.explanation);
  annotate(
    doc,
    ['spec', 'template', 'spec', 'securityContext', 'runAsUser'],
    "the distroless image's nonroot user",
    {
      inline: true,
    },
  );
  annotate(
    doc,
    env(ENVIRONMENT.drainDelayMs.variable),
    variant.preStopSleepSeconds > 0
      ? 'the preStop sleep is the pause: never stack a second one'
      : 'the pause, inside the app: no preStop sleep on this cluster',
    { inline: true },
  );
  annotate(
    doc,
    env(GRACE_PERIOD_VARIABLE),
    variant.preStopSleepSeconds > 0
      ? `counted from SIGTERM: ${budget.terminationGracePeriodSeconds} minus the ${variant.preStopSleepSeconds} s preStop sleep; the app refuses a budget that cannot fit`
      : 'counted from SIGTERM (no preStop sleep); the app refuses a budget that cannot fit',
    { inline: true },
  );
  annotate(
    doc,
    [...CONTAINER, 'env', envIndex(objects, 'DATABASE_URL'), 'name'],
    'optional: without the Secret the demo runs with no database check',
    {
      inline: true,
    },
  );
  if (variant.preStopSleepSeconds > 0) {
    annotate(
      doc,
      [...CONTAINER, 'lifecycle'],
      'native sleep action (Kubernetes 1.30+): the image needs no `sleep` binary',
    );
  }
  for (const [name, text] of Object.entries(PROBE_COMMENTS)) annotate(doc, [...CONTAINER, name], text);
  annotate(
    doc,
    [...CONTAINER, 'image'],
    'its entrypoint is node, its CMD dist/server.js: node is PID 1 and gets SIGTERM',
    {
      inline: true,
    },
  );
  return doc;
}

const HEADER = (demo, variant) =>
  [
    `${demo}: ${variant.title}.`,
    `Generated by scripts/generate-manifests.mjs from apps/demo-kit/deploy/demo-files.mjs — edit those, then run`,
    '`node scripts/generate-manifests.mjs`; a test fails when this file is stale.',
    `Check it: lameduck doctor ${variant.file}`,
  ]
    .map((line) => ` ${line}`)
    .join('\n');

/** One demo's manifest for one variant: Deployment, Service, PodDisruptionBudget. */
export function renderManifest(demo, variant) {
  const objects = manifestObjects(demo, variant);
  const docs = [
    deploymentDocument(variant, objects),
    ...objects.slice(1).map((object) => new Document(object)),
  ];
  docs[0].commentBefore = HEADER(demo, variant);
  const annotateBudget = docs[2];
  annotate(
    annotateBudget,
    ['spec', 'maxUnavailable'],
    'node drains take one pod at a time, and never block',
    {
      inline: true,
    },
  );
  annotate(
    annotateBudget,
    ['spec', 'unhealthyPodEvictionPolicy'],
    'a pod failing readiness never holds a drain',
    {
      inline: true,
    },
  );
  return docs.map((doc) => doc.toString({ lineWidth: 0 })).join('---\n');
}

/** One demo's Dockerfile. Build context: the repository root (the workspace and its lockfile). */
export function renderDockerfile(demo) {
  return `# ${demo}: a production image. Generated by scripts/generate-manifests.mjs from
# apps/demo-kit/deploy/demo-files.mjs — edit those, then run \`node scripts/generate-manifests.mjs\`.
#
# Build from the repository root (the build needs the whole workspace and its lockfile):
#   docker build -f apps/${demo}/Dockerfile -t lameduck/${demo}:${IMAGE_VERSION} .

# Build stage: the workspace with every dependency, built, then only what ${demo} needs at run
# time copied to /out by \`pnpm deploy\` (production dependencies, workspace packages as packed).
FROM node:20-bookworm-slim AS build
ENV COREPACK_ENABLE_DOWNLOAD_PROMPT=0
RUN corepack enable
WORKDIR /repo
# The lockfile first: the download layer is reused until a dependency changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
RUN pnpm fetch
COPY . .
RUN pnpm install --frozen-lockfile --offline
RUN pnpm --filter ${demo}... build
# --legacy: pnpm 10's deploy otherwise needs inject-workspace-packages=true for the whole workspace.
RUN pnpm --filter ${demo} deploy --prod --legacy /out

# Run stage: distroless — no shell, no package manager; node is the entrypoint, so node is PID 1
# and receives SIGTERM itself. The preStop pause is the kubelet's native sleep, not a binary here.
FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /out/package.json ./package.json
COPY --from=build /out/node_modules ./node_modules
COPY --from=build /out/dist ./dist
# nonroot, by number so that Kubernetes can verify runAsNonRoot.
USER 65532:65532
EXPOSE ${CONTAINER_PORT}
CMD ["dist/server.js"]
`;
}

/** Every generated file: paths relative to the repository root, and their content. */
export function renderAll() {
  return DEMOS.flatMap((demo) => [
    ...VARIANTS.map((variant) => ({
      path: `apps/${demo}/${variant.file}`,
      content: renderManifest(demo, variant),
    })),
    { path: `apps/${demo}/Dockerfile`, content: renderDockerfile(demo) },
  ]);
}
