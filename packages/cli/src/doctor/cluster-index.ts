// Who selects whom, built once per run. A rule asking "which Services select this workload" of
// every workload must not scan every object each time: over a rendered chart of thousands of
// objects that is quadratic (4,000 workload+Service pairs took minutes). Selectors are filed
// under one label pair each (the rarest one they require), so a workload's candidates are found
// through its own labels; every candidate is then checked with the real matcher, so filing only
// decides what is looked at, never what matches. Answers are cached per workload.
import { KUBERNETES_DEFAULTS } from '../kubernetes/defaults.js';
import type { KubeObject } from '../kubernetes/manifest.js';
import { labelSelectorMatches, serviceSelectorMatches } from '../kubernetes/selectors.js';
import { count, fields, items, labels, strings, text } from '../kubernetes/values.js';
import { type Container, programName, type Workload } from '../kubernetes/workload.js';

/** A port named for scraping or debugging (`metrics`, `http-metrics`, `pprof`…), not for traffic. */
export const METRICS_PORT = /(?:^|-)(?:metrics|prometheus|prom|telemetry|pprof|profiling|debug)(?:$|-)/i;

/** A container that only idles (`sleep infinity`, `tail -f /dev/null`, `pause`): a client shell, not a server. */
export function idles(container: Container): boolean {
  const argv = container.command ?? container.args ?? [];
  const program = programName(argv);
  return program === 'sleep' || program === 'pause' || (program === 'tail' && argv.includes('/dev/null'));
}

export interface ReplicaCount {
  replicas: number;
  /** Where the number comes from, for messages: `replicas 1`, `replicas unset (1)`, `HPA web minReplicas 2`. */
  source: string;
  /** An autoscaler's `maxReplicas`, when one targets the workload. */
  maxReplicas?: number;
  /** The autoscaler's name, when one targets the workload. */
  autoscaler?: string;
}

type Matcher = (selector: unknown, podLabels: Record<string, string>) => boolean;

/** What a selector requires at least, for filing it: a label pair, a label key, or nothing known. */
type Anchor = { pairs: [string, string][] } | { key: string } | 'any' | 'none';

/**
 * Selectors of one kind in one index: each filed under what it requires, so that only those whose
 * requirement a workload's labels meet are checked against it.
 */
class SelectorIndex {
  readonly #byPair = new Map<string, KubeObject[]>();
  readonly #byKey = new Map<string, KubeObject[]>();
  readonly #any = new Map<string, KubeObject[]>();

  constructor(
    objects: readonly KubeObject[],
    private readonly matches: Matcher,
    anchorOf: (selector: unknown, frequency: FrequencyOf) => Anchor,
    pairsOf: (selector: unknown) => [string, string][],
  ) {
    // How many selectors require each pair: a selector is filed under its rarest one, so that a
    // pair every selector shares (`app.kubernetes.io/part-of: shop`) does not make one long list.
    const frequency = new Map<string, number>();
    for (const object of objects) {
      for (const pair of pairsOf(selectorOf(object))) {
        const key = pairKey(object.namespace, pair[0], pair[1]);
        frequency.set(key, (frequency.get(key) ?? 0) + 1);
      }
    }
    for (const object of objects) {
      const chosen = anchorOf(selectorOf(object), frequencyIn(frequency, object.namespace));
      if (chosen === 'none') continue;
      if (chosen === 'any') push(this.#any, namespaceKey(object.namespace), object);
      else if ('key' in chosen) push(this.#byKey, pairKey(object.namespace, chosen.key, ''), object);
      else
        for (const [key, value] of chosen.pairs)
          push(this.#byPair, pairKey(object.namespace, key, value), object);
    }
  }

  /** The selectors that select the workload's pods, in the order given. */
  selecting(workload: Workload, order: ReadonlyMap<KubeObject, number>): KubeObject[] {
    const namespace = workload.object.namespace;
    const candidates = new Set<KubeObject>(this.#any.get(namespaceKey(namespace)) ?? []);
    for (const [key, value] of Object.entries(workload.podLabels)) {
      for (const object of this.#byPair.get(pairKey(namespace, key, value)) ?? []) candidates.add(object);
      for (const object of this.#byKey.get(pairKey(namespace, key, '')) ?? []) candidates.add(object);
    }
    return [...candidates]
      .filter((object) => this.matches(selectorOf(object), workload.podLabels))
      .sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  }
}

function selectorOf(object: KubeObject): unknown {
  return fields(object.body.spec)?.selector;
}

function namespaceKey(namespace: string | undefined): string {
  return namespace === undefined ? '' : `=${namespace}`;
}

function pairKey(namespace: string | undefined, key: string, value: string): string {
  return JSON.stringify([namespace ?? null, key, value]);
}

type FrequencyOf = (key: string, value: string) => number;

function frequencyIn(frequency: Map<string, number>, namespace: string | undefined): FrequencyOf {
  return (key: string, value: string) => frequency.get(pairKey(namespace, key, value)) ?? 0;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function rarest(pairs: [string, string][], frequency: FrequencyOf): [string, string] | undefined {
  let best = pairs[0];
  for (const pair of pairs) if (best && frequency(...pair) < frequency(...best)) best = pair;
  return best;
}

/** A Service's selector: a plain map; empty or absent selects nothing. */
function servicePairs(selector: unknown): [string, string][] {
  return Object.entries(labels(selector));
}

function serviceAnchor(selector: unknown, frequency: FrequencyOf): Anchor {
  const best = rarest(servicePairs(selector), frequency);
  return best ? { pairs: [best] } : 'none';
}

/** A LabelSelector's matchLabels pairs (the ones every selected pod has). */
function labelSelectorPairs(selector: unknown): [string, string][] {
  return Object.entries(labels(fields(selector)?.matchLabels));
}

/**
 * What a LabelSelector requires: a matchLabels pair; else one of an `In` expression's values;
 * else an `Exists` key; else (only `NotIn`, `DoesNotExist`, or `{}`) nothing known: checked
 * against every workload of its namespace. An absent selector selects nothing.
 */
function labelSelectorAnchor(selector: unknown, frequency: FrequencyOf): Anchor {
  const spec = fields(selector);
  if (!spec) return 'none';
  const best = rarest(labelSelectorPairs(selector), frequency);
  if (best) return { pairs: [best] };
  const expressions = items(spec.matchExpressions).map(fields);
  for (const expression of expressions) {
    const key = text(expression?.key);
    if (key !== undefined && text(expression?.operator) === 'In')
      return { pairs: (strings(expression?.values) ?? []).map((value): [string, string] => [key, value]) };
  }
  for (const expression of expressions) {
    const key = text(expression?.key);
    if (key !== undefined && text(expression?.operator) === 'Exists') return { key };
  }
  return 'any';
}

/**
 * One index of a run's objects: every question a rule asks about who selects, serves, budgets or
 * scales whom. Rules ask it (`cluster.index`); none scans `cluster.objects` per workload.
 */
export class ClusterIndex {
  readonly #order = new Map<KubeObject, number>();
  readonly #byKind = new Map<string, KubeObject[]>();
  readonly #services: SelectorIndex;
  readonly #budgets: SelectorIndex;
  readonly #autoscalers = new Map<string, KubeObject>();
  readonly #servicesOf = new Map<Workload, KubeObject[]>();
  readonly #budgetsOf = new Map<Workload, KubeObject[]>();
  readonly #servedOf = new Map<Workload, Set<Container>>();
  readonly #replicasOf = new Map<Workload, ReplicaCount>();
  #selectedBy: Map<KubeObject, Workload[]> | undefined;

  constructor(
    objects: readonly KubeObject[],
    private readonly workloads: readonly Workload[],
  ) {
    objects.forEach((object, position) => {
      if (!this.#order.has(object)) this.#order.set(object, position);
      push(this.#byKind, object.kind, object);
    });
    this.#services = new SelectorIndex(
      this.objectsOfKind('Service'),
      serviceSelectorMatches,
      serviceAnchor,
      servicePairs,
    );
    this.#budgets = new SelectorIndex(
      this.objectsOfKind('PodDisruptionBudget'),
      labelSelectorMatches,
      labelSelectorAnchor,
      labelSelectorPairs,
    );
    for (const autoscaler of this.objectsOfKind('HorizontalPodAutoscaler')) {
      const target = fields(fields(autoscaler.body.spec)?.scaleTargetRef);
      const key = JSON.stringify([autoscaler.namespace ?? null, text(target?.kind), text(target?.name)]);
      // The first one in the files given wins, as before.
      if (!this.#autoscalers.has(key)) this.#autoscalers.set(key, autoscaler);
    }
  }

  /** Where the object came in the files given (0-based), for ordering findings. */
  position(object: KubeObject): number {
    return this.#order.get(object) ?? -1;
  }

  /** The objects of one kind, in the order given. */
  objectsOfKind(kind: string): readonly KubeObject[] {
    return this.#byKind.get(kind) ?? [];
  }

  /** The Services in the workload's namespace whose `spec.selector` selects its pods. */
  servicesSelecting(workload: Workload): readonly KubeObject[] {
    return cached(this.#servicesOf, workload, () => this.#services.selecting(workload, this.#order));
  }

  /** The PodDisruptionBudgets in the workload's namespace whose selector selects its pods. */
  disruptionBudgetsSelecting(workload: Workload): readonly KubeObject[] {
    return cached(this.#budgetsOf, workload, () => this.#budgets.selecting(workload, this.#order));
  }

  /**
   * The workloads a Service or a PodDisruptionBudget selects, in the order given (built once, from
   * every workload's own answers).
   */
  workloadsSelectedBy(selector: KubeObject): readonly Workload[] {
    if (!this.#selectedBy) {
      const selectedBy = new Map<KubeObject, Workload[]>();
      for (const workload of this.workloads) {
        for (const object of this.servicesSelecting(workload)) push(selectedBy, object, workload);
        for (const object of this.disruptionBudgetsSelecting(workload)) push(selectedBy, object, workload);
      }
      this.#selectedBy = selectedBy;
    }
    return this.#selectedBy.get(selector) ?? [];
  }

  /**
   * The containers that Services send traffic to: those declaring a port a selecting Service
   * targets (`targetPort`, by number or name; `port` when unset). A Service port that no container
   * declares goes to the first container that does not just idle, which is where an undeclared
   * listener usually runs. Ports named for metrics are scraping, not traffic, and are left out.
   */
  servedContainers(workload: Workload): ReadonlySet<Container> {
    return cached(this.#servedOf, workload, () => {
      const served = new Set<Container>();
      for (const service of this.servicesSelecting(workload)) {
        for (const port of items(fields(service.body.spec)?.ports).map(fields)) {
          const target = port?.targetPort ?? port?.port;
          if (
            METRICS_PORT.test(text(port?.name) ?? '') ||
            METRICS_PORT.test(typeof target === 'string' ? target : '')
          )
            continue;
          const number =
            typeof target === 'number' ? target : /^\d+$/.test(String(target)) ? Number(target) : undefined;
          const name = typeof target === 'string' && number === undefined ? target : undefined;
          const matching = workload.containers.filter((container) =>
            container.ports.some((declared) =>
              number !== undefined ? declared.containerPort === number : declared.name === name,
            ),
          );
          const first = workload.containers.find((container) => !idles(container));
          if (matching.length === 0 && first) served.add(first);
          for (const container of matching) served.add(container);
        }
      }
      return served;
    });
  }

  /** The HorizontalPodAutoscaler in the workload's namespace whose scaleTargetRef names it. */
  autoscalerOf(workload: Workload): KubeObject | undefined {
    return this.#autoscalers.get(
      JSON.stringify([workload.object.namespace ?? null, workload.kind, workload.object.name]),
    );
  }

  /** The fewest pods the workload runs: `replicas` (default 1), or an HPA's `minReplicas` when one targets it. */
  replicaCount(workload: Workload): ReplicaCount {
    return cached(this.#replicasOf, workload, () => {
      const autoscaler = this.autoscalerOf(workload);
      if (autoscaler) {
        const spec = fields(autoscaler.body.spec);
        const minReplicas = count(spec?.minReplicas);
        const maxReplicas = count(spec?.maxReplicas);
        return {
          replicas: minReplicas ?? KUBERNETES_DEFAULTS.replicas,
          source: `HorizontalPodAutoscaler/${autoscaler.name} minReplicas ${minReplicas ?? 'unset (1)'}`,
          autoscaler: autoscaler.name,
          ...(maxReplicas === undefined ? {} : { maxReplicas }),
        };
      }
      return {
        replicas: workload.replicas ?? KUBERNETES_DEFAULTS.replicas,
        source: workload.replicas === undefined ? 'replicas unset (1)' : `replicas ${workload.replicas}`,
      };
    });
  }
}

function cached<K, V>(map: Map<K, V>, key: K, compute: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = compute();
    map.set(key, value);
  }
  return value;
}
