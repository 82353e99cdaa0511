import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyRecipe } from '../test/support/hostile.js';
import { describeThrown, describeValue, errorMessage, safeString } from './describe.js';

describe('describeValue', () => {
  class Pool {}

  it.each([
    [null, 'null'],
    [undefined, 'undefined'],
    ['db', 'the string "db"'],
    ['', 'the string ""'],
    [42, 'number 42'],
    [false, 'boolean false'],
    [10n, 'bigint 10'],
    [() => {}, 'a function'],
    [Symbol('x'), 'a symbol'],
    [[1, 2, 3], 'an array of 3'],
    [{ a: 1 }, 'an object'],
    [new Pool(), 'a Pool'],
    [Object.create(null), 'an object'],
  ])('describes %s as %s', (value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });

  it('shortens a long string to 40 characters', () => {
    expect(describeValue('x'.repeat(100))).toBe(`the string "${'x'.repeat(40)}…"`);
  });

  it('escapes control characters in a string', () => {
    expect(describeValue('a\nb')).toBe('the string "a\\nb"');
  });
});

describe('describeThrown', () => {
  it("gives an Error's message, or its name when the message is empty", () => {
    expect(describeThrown(new Error('boom'))).toBe('boom');
    expect(describeThrown(new TypeError(''))).toBe('TypeError');
    expect(describeThrown('boom')).toBe('threw the string "boom" instead of an Error');
  });

  it('describes hostile throws instead of throwing itself', () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(describeThrown(proxy)).toBe(
      'threw an unreadable value (a revoked Proxy, or a getter that throws?) instead of an Error',
    );
    const trapThrows = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    expect(describeThrown(trapThrows)).toMatch(/^threw an unreadable value/);
    const messageThrows = new Error('hidden');
    Object.defineProperty(messageThrows, 'message', {
      get() {
        throw new Error('getter');
      },
    });
    expect(describeThrown(messageThrows)).toBe('an Error whose message cannot be read (its getter throws)');
    const objectMessage = new Error('x');
    Object.defineProperty(objectMessage, 'message', {
      value: {
        toString() {
          throw new Error('toString');
        },
      },
    });
    expect(describeThrown(objectMessage)).toBe('an Error whose message is an object instead of a string');
    expect(describeThrown(Symbol('s'))).toBe('threw a symbol instead of an Error');
    expect(describeThrown(10n)).toBe('threw bigint 10 instead of an Error');
  });
});

describe('safeString and errorMessage', () => {
  it('fall back to a description when toString throws', () => {
    const bad = {
      toString() {
        throw new Error('no');
      },
    };
    expect(safeString(bad)).toBe('an object');
    expect(safeString(Symbol('s'))).toBe('Symbol(s)');
    expect(safeString(42)).toBe('42');
    expect(errorMessage(new Error('listener bug'))).toBe('listener bug');
    expect(errorMessage('just a string')).toBe('just a string');
    expect(errorMessage(bad)).toBe('an object');
  });
});

describe('every description is total (property)', () => {
  it('never throws and always returns a string, for anything', () => {
    fc.assert(
      fc.property(anyRecipe(), (recipe) => {
        const value = recipe.make();
        for (const describeIt of [describeValue, describeThrown, safeString, errorMessage]) {
          expect(typeof describeIt(value)).toBe('string');
        }
      }),
      { numRuns: 300 },
    );
  });
});
