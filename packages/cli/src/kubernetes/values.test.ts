import { describe, expect, it } from 'vitest';
import { amount, labels, resolveAmount } from './values.js';

describe('amount', () => {
  it('reads IntOrString fields as Kubernetes writes them', () => {
    expect(amount(1)).toEqual({ kind: 'number', value: 1 });
    expect(amount('2')).toEqual({ kind: 'number', value: 2 });
    expect(amount('25%')).toEqual({ kind: 'percent', value: 25 });
    expect(amount(' 0% ')).toEqual({ kind: 'percent', value: 0 });
    expect(amount('lots')).toBeUndefined();
    expect(amount(undefined)).toBeUndefined();
    expect(amount(Number.NaN)).toBeUndefined();
  });
});

describe('resolveAmount', () => {
  it('rounds a percentage of the replicas down (rolling update) or up (disruption budget)', () => {
    expect(resolveAmount({ kind: 'percent', value: 25 }, 3, 'down')).toBe(0);
    expect(resolveAmount({ kind: 'percent', value: 25 }, 3, 'up')).toBe(1);
    expect(resolveAmount({ kind: 'percent', value: 50 }, 4, 'down')).toBe(2);
    expect(resolveAmount({ kind: 'number', value: 2 }, 10, 'up')).toBe(2);
  });
});

describe('labels', () => {
  it('keeps label values as strings, whatever YAML made of them', () => {
    expect(labels({ version: 2, canary: true, app: 'web' })).toEqual({
      version: '2',
      canary: 'true',
      app: 'web',
    });
    expect(labels('nonsense')).toEqual({});
  });
});
