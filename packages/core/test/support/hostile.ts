// Values built to break code that inspects them: for property-based tests of everything that
// reports on what a check, a hook or a client handed over.
import fc from 'fast-check';

const boom = () => {
  throw new Error('hostile');
};

/** A Proxy that has been revoked: every operation on it (even `instanceof`) throws. */
export function revokedProxy(target: object = {}): object {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/** A Proxy every one of whose traps throws. */
export function trappedProxy(target: object = {}): object {
  return new Proxy(target, {
    get: boom,
    has: boom,
    ownKeys: boom,
    getPrototypeOf: boom,
    getOwnPropertyDescriptor: boom,
    apply: boom,
  });
}

/** An Error whose `message` (and `name`) getters throw. */
export function errorWithThrowingMessage(): Error {
  const error = new Error('hidden');
  Object.defineProperty(error, 'message', { get: boom });
  Object.defineProperty(error, 'name', { get: boom });
  return error;
}

/** An Error whose message is an object whose `toString` throws. */
export function errorWithUnprintableMessage(): Error {
  const error = new Error('hidden');
  Object.defineProperty(error, 'message', { value: { toString: boom } });
  return error;
}

/** A plain object whose getter answers once, then throws on every later read. */
export function throwsOnSecondRead(): Record<string, unknown> {
  let reads = 0;
  return {
    get value() {
      reads += 1;
      if (reads > 1) throw new Error('read twice');
      return 'first read';
    },
  };
}

/**
 * A recipe for a value, named for fast-check's reports. Hostile values are made inside the
 * property, not by the arbitrary: fast-check itself inspects what an arbitrary produces, and a
 * revoked Proxy would break it before the code under test ever saw it.
 */
export interface Recipe {
  readonly name: string;
  make(): unknown;
  toString(): string;
}

const recipe = (name: string, make: () => unknown): Recipe => ({ name, make, toString: () => name });

const HOSTILE: readonly Recipe[] = [
  recipe('revoked proxy', () => revokedProxy()),
  recipe('revoked function proxy', () => revokedProxy(() => {})),
  recipe('proxy whose traps throw', () => trappedProxy()),
  recipe('array proxy whose traps throw', () => trappedProxy([])),
  recipe('error whose message getter throws', errorWithThrowingMessage),
  recipe('error whose message toString throws', errorWithUnprintableMessage),
  recipe('object whose getter throws on a second read', throwsOnSecondRead),
  recipe('object whose getter throws', () =>
    Object.defineProperty({}, 'boom', { get: boom, enumerable: true }),
  ),
  recipe('object whose toString, valueOf and toJSON throw', () => ({
    toString: boom,
    valueOf: boom,
    toJSON: boom,
  })),
  recipe('object whose toJSON returns undefined', () => ({ toJSON: () => undefined })),
  recipe('circular object', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    return circular;
  }),
  recipe('null-prototype object holding a BigInt', () => Object.assign(Object.create(null), { n: 10n })),
  // biome-ignore lint/suspicious/noThenProperty: a thenable whose then throws is the point.
  recipe('thenable whose then throws', () => ({ then: boom })),
  recipe('object whose then getter throws', () => Object.defineProperty({}, 'then', { get: boom })),
  recipe('error whose cause getter throws', () => {
    const error = new Error('with a hostile cause');
    Object.defineProperty(error, 'cause', { get: boom });
    return error;
  }),
  recipe('symbol', () => Symbol('s')),
  recipe('bigint', () => 10n),
];

/** One of the hostile recipes above. */
export function hostileRecipe(): fc.Arbitrary<Recipe> {
  return fc.constantFrom(...HOSTILE);
}

/** Anything fast-check can make, or a hostile value. */
export function anyRecipe(): fc.Arbitrary<Recipe> {
  return fc.oneof(
    fc
      .anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withNullPrototype: true })
      .map((value) => recipe(`anything: ${fc.stringify(value)}`, () => value)),
    hostileRecipe(),
  );
}
