import { describe, expect, it } from 'vitest';
import { Nodes } from './nodes.js';

describe('nodes', () => {
  it('places the first pods as asked, then spreads over schedulable nodes', () => {
    const nodes = new Nodes(['a', 'b', 'c', 'd'], ['a', 'a', 'b']);
    expect(['p1', 'p2', 'p3'].map((pod) => nodes.place(pod))).toEqual(['a', 'a', 'b']);
    expect(nodes.podsOn('a')).toEqual(['p1', 'p2']);
    nodes.cordon('a');
    nodes.cordon('b');
    expect(['p4', 'p5', 'p6'].map((pod) => nodes.place(pod))).toEqual(['c', 'd', 'c']);
    nodes.remove('p1');
    expect(nodes.podsOn('a')).toEqual(['p2']);
    expect(nodes.nodeOf('p4')).toBe('c');
  });

  it('has nowhere to put a pod when every node is cordoned', () => {
    const nodes = new Nodes(['a'], []);
    nodes.cordon('a');
    expect(() => nodes.place('p1')).toThrow(/every node is cordoned/);
  });
});
