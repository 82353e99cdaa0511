import type { CheckKind } from './checks.js';
import type { LifecycleState } from './states.js';

/**
 * A finished probe answer kept for reuse. Probe storms ask the same question (`GET /readyz`, no
 * query) over and over while every check answers from its cache: the answer is the same bytes
 * until a check result changes, expires, or the lifecycle state moves, so it is built once.
 */
export interface CachedAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The same headers as one flat name, value, name, value list (Node's `writeHead` takes it as is). */
  readonly headerList: readonly string[];
  /** Already empty for HEAD. */
  readonly body: string;
  /** What the answer was built from: it holds while all three do. */
  readonly generation: number;
  readonly state: LifecycleState;
  /** The earliest expiry of the cached check results it shows (registry clock). */
  readonly freshUntil: number;
}

/** What decides whether a kept answer still holds. */
export interface AnswerValidity {
  generation(kind: CheckKind): number;
  state(): LifecycleState;
  now(): number;
}

const KIND_INDEX: Readonly<Record<CheckKind, number>> = { readiness: 0, liveness: 1, startup: 2 };

/**
 * One slot per kind × format × GET/HEAD, for the plain probe only (no check name, no query): the
 * only shape a probe storm has. Anything else is built each time.
 */
export class AnswerCache {
  readonly #slots: (CachedAnswer | undefined)[] = [];
  readonly #validity: AnswerValidity;

  constructor(validity: AnswerValidity) {
    this.#validity = validity;
  }

  static key(kind: CheckKind, json: boolean, head: boolean): number {
    return KIND_INDEX[kind] * 4 + (json ? 2 : 0) + (head ? 1 : 0);
  }

  /** The kept answer for `key` if it still holds, else undefined. */
  get(key: number, kind: CheckKind): CachedAnswer | undefined {
    const answer = this.#slots[key];
    if (answer === undefined) return undefined;
    const validity = this.#validity;
    if (
      answer.generation !== validity.generation(kind) ||
      answer.state !== validity.state() ||
      !(validity.now() < answer.freshUntil)
    ) {
      this.#slots[key] = undefined;
      return undefined;
    }
    return answer;
  }

  set(key: number, answer: CachedAnswer): void {
    this.#slots[key] = answer;
  }
}
