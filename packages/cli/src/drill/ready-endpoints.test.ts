import { describe, expect, it } from 'vitest';
import { readyWindow } from './ready-endpoints.js';

describe('readyWindow', () => {
  const samples = [
    { atMs: 0, ready: 3 },
    { atMs: 5000, ready: 0 },
    { atMs: 11_500, ready: 1 },
    { atMs: 12_000, ready: 3 },
  ];

  it('finds the fewest ready endpoints and the time at none', () => {
    expect(readyWindow(samples, 3000, 20_000)).toEqual({ fewest: 0, zeroMs: 6500 });
  });

  it('counts a gap still open at the end of the window, and the state before it began', () => {
    expect(readyWindow(samples, 6000, 8000)).toEqual({ fewest: 0, zeroMs: 2000 });
    expect(readyWindow(samples, 12_500, 20_000)).toEqual({ fewest: 3, zeroMs: 0 });
  });
});
